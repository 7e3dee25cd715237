import Layers
import Tensor

/// Golden kinds `mega_attention` (`MovingAverageGatedAttention`), `mega_encoder_layer`
/// (`MegaSentenceEncoderLayer`) and `mega_decoder_layer` (`MegaDecoderLayer`, args namespace).
enum MegaGoldenCase {
  static func attention(_ file: GoldenFile) throws -> [GoldenComparison] {
    let c = file.config
    let layer = try LayerCase(file)
    let config = GatedAttentionConfig(
      embedDim: try c.int("embed_dim"), zdim: try c.int("zdim"), hdim: try c.int("hdim"),
      ndim: try c.int("ndim"), chunkSize: try c.int("chunk_size"),
      truncation: try c.optionalInt("truncation"), bidirectional: try c.bool("bidirectional"),
      activation: try c.activation("activation"),
      attentionFunction: try c.attentionFunction("attention_activation"),
      normType: try c.normType("norm_type"),
      normAffine: c.has("norm_affine") ? try c.bool("norm_affine") : true,
      prenorm: try c.bool("prenorm"), relativePosition: try c.relativePosition("rel_pos_bias"),
      maxPositions: try c.int("max_positions"),
      dropout: try c.dropout("dropout", training: layer.training),
      attentionDropout: try c.dropout("attention_dropout", training: layer.training),
      hiddenDropout: try c.dropout("hidden_dropout", training: layer.training))
    var rng = SplitMix64(seed: 0)
    let module = GatedAttention(config, rng: &rng)
    try layer.load(module)
    module.training = layer.training
    let x = try layer.input("x")
    try checkChunking(length: x.shape[0], chunk: config.chunkSize)
    let (out, weights) = module(x, paddingMask: try layer.paddingMask(for: x), causal: layer.causal)
    return try layer.compare(
      module: module, differentiable: ["x": x], outputs: ["out": out, "attn_weights": weights])
  }

  static func encoderLayer(_ file: GoldenFile) throws -> [GoldenComparison] {
    let c = file.config
    let layer = try LayerCase(file)
    let config = GatedAttentionConfig(
      embedDim: try c.int("embedding_dim"), zdim: try c.int("z_dim"),
      hdim: try c.int("hidden_dim"), ndim: try c.int("n_dim"), chunkSize: try c.int("chunk_size"),
      truncation: try c.optionalInt("truncation"), bidirectional: true,
      activation: try c.activation("activation"),
      attentionFunction: try c.attentionFunction("attention_activation"),
      normType: try c.normType("norm_type"), prenorm: try c.bool("prenorm"),
      relativePosition: try c.relativePosition("rel_pos_bias"),
      maxPositions: try c.int("max_positions"),
      dropout: try c.dropout("dropout", training: layer.training),
      attentionDropout: try c.dropout("attention_dropout", training: layer.training),
      hiddenDropout: try c.dropout("hidden_dropout", training: layer.training))
    var rng = SplitMix64(seed: 0)
    let module = MegaEncoderLayer(
      attention: config, ffnHiddenDim: try c.optionalInt("ffn_hidden_dim") ?? -1, rng: &rng)
    try layer.load(module)
    module.training = layer.training
    let x = try layer.input("x")
    try checkChunking(length: x.shape[0], chunk: config.chunkSize)
    let out = module(x, paddingMask: try layer.paddingMask(for: x))
    return try layer.compare(module: module, differentiable: ["x": x], outputs: ["out": out])
  }

  static func decoderLayer(_ file: GoldenFile) throws -> [GoldenComparison] {
    let c = file.config
    let layer = try LayerCase(file)
    guard layer.causal else {
      throw GoldenError.invalid("mega_decoder_layer case without /inputs/attn_mask")
    }
    let config = GatedAttentionConfig(
      embedDim: try c.int("decoder_embed_dim"), zdim: try c.int("decoder_z_dim"),
      hdim: try c.int("decoder_hidden_dim"), ndim: try c.int("decoder_n_dim"),
      chunkSize: try c.int("decoder_chunk_size"),
      truncation: try c.optionalInt("truncation_length"), bidirectional: false,
      activation: try c.activation("activation_fn"),
      attentionFunction: try c.attentionFunction("attention_activation_fn"),
      normType: try c.normType("normalization_type"), prenorm: try c.bool("normalize_before"),
      relativePosition: try c.relativePosition("rel_pos_bias"),
      maxPositions: try c.int("max_target_positions"),
      dropout: try c.dropout("dropout", training: layer.training),
      attentionDropout: try c.dropout("attention_dropout", training: layer.training),
      hiddenDropout: try c.dropout("hidden_dropout", training: layer.training))
    var rng = SplitMix64(seed: 0)
    let module = MegaDecoderLayer(
      attention: config, ffnHiddenDim: try c.int("decoder_ffn_embed_dim"),
      activationDropout: try c.dropout("activation_dropout", training: layer.training), rng: &rng)
    try layer.load(module)
    module.training = layer.training
    let x = try layer.input("x")
    try checkChunking(length: x.shape[0], chunk: config.chunkSize)
    let out = module(x, paddingMask: try layer.paddingMask(for: x))
    return try layer.compare(module: module, differentiable: ["x": x], outputs: ["out": out])
  }

  /// The layers need L to be a multiple of the chunk when L ≥ C (the model wrappers pad).
  private static func checkChunking(length: Int, chunk: Int) throws {
    if chunk > 0 && length >= chunk && length % chunk != 0 {
      throw GoldenError.unsupported("L = \(length) is not a multiple of chunk_size \(chunk)")
    }
  }
}
