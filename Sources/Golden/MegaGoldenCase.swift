import Layers
import Tensor

/// Golden kinds `mega_attention` (`MovingAverageGatedAttention`), `mega_encoder_layer`
/// (`MegaSentenceEncoderLayer`) and `mega_decoder_layer` (`MegaDecoderLayer`, args namespace).
enum MegaGoldenCase {
  static func attention(_ file: GoldenFile) throws -> [GoldenComparison] {
    let c = file.config
    let layer = try LayerCase(file)
    let config = GatedAttentionConfig(
      embedDim: try c.dimension("embed_dim"), zdim: try c.dimension("zdim"),
      hdim: try c.dimension("hdim"),
      ndim: try c.dimension("ndim"), chunkSize: try c.int("chunk_size"),
      truncation: try c.truncation("truncation"), bidirectional: try c.bool("bidirectional"),
      activation: try c.activation("activation"),
      attentionFunction: try c.attentionFunction("attention_activation"),
      normType: try c.normType("norm_type"),
      normAffine: c.has("norm_affine") ? try c.bool("norm_affine") : true,
      prenorm: try c.bool("prenorm"), relativePosition: try c.relativePosition("rel_pos_bias"),
      maxPositions: try c.dimension("max_positions"),
      dropout: try c.dropout("dropout", training: layer.training),
      attentionDropout: try c.dropout("attention_dropout", training: layer.training),
      hiddenDropout: try c.dropout("hidden_dropout", training: layer.training))
    let x = try layer.input("x", channels: config.embedDim)
    try config.validate(length: x.shape[0])
    var rng = SplitMix64(seed: 0)
    let module = GatedAttention(config, rng: &rng)
    try layer.load(module)
    module.training = layer.training
    let (out, weights) = module(x, paddingMask: try layer.paddingMask(for: x), causal: layer.causal)
    return try layer.compare(
      module: module, differentiable: ["x": x], outputs: ["out": out, "attn_weights": weights])
  }

  static func encoderLayer(_ file: GoldenFile) throws -> [GoldenComparison] {
    let c = file.config
    let layer = try LayerCase(file)
    let config = GatedAttentionConfig(
      embedDim: try c.dimension("embedding_dim"), zdim: try c.dimension("z_dim"),
      hdim: try c.dimension("hidden_dim"), ndim: try c.dimension("n_dim"),
      chunkSize: try c.int("chunk_size"),
      truncation: try c.truncation("truncation"), bidirectional: true,
      activation: try c.activation("activation"),
      attentionFunction: try c.attentionFunction("attention_activation"),
      normType: try c.normType("norm_type"), prenorm: try c.bool("prenorm"),
      relativePosition: try c.relativePosition("rel_pos_bias"),
      maxPositions: try c.dimension("max_positions"),
      dropout: try c.dropout("dropout", training: layer.training),
      attentionDropout: try c.dropout("attention_dropout", training: layer.training),
      hiddenDropout: try c.dropout("hidden_dropout", training: layer.training))
    let x = try layer.input("x", channels: config.embedDim)
    try config.validate(length: x.shape[0])
    var rng = SplitMix64(seed: 0)
    let module = MegaLayer(
      attention: config, ffnHiddenDim: try c.optionalInt("ffn_hidden_dim") ?? -1, causal: false,
      rng: &rng)
    try layer.load(module)
    module.training = layer.training
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
      embedDim: try c.dimension("decoder_embed_dim"), zdim: try c.dimension("decoder_z_dim"),
      hdim: try c.dimension("decoder_hidden_dim"), ndim: try c.dimension("decoder_n_dim"),
      chunkSize: try c.int("decoder_chunk_size"),
      truncation: try c.truncation("truncation_length"), bidirectional: false,
      activation: try c.activation("activation_fn"),
      attentionFunction: try c.attentionFunction("attention_activation_fn"),
      normType: try c.normType("normalization_type"), prenorm: try c.bool("normalize_before"),
      relativePosition: try c.relativePosition("rel_pos_bias"),
      maxPositions: try c.dimension("max_target_positions"),
      dropout: try c.dropout("dropout", training: layer.training),
      attentionDropout: try c.dropout("attention_dropout", training: layer.training),
      hiddenDropout: try c.dropout("hidden_dropout", training: layer.training))
    let x = try layer.input("x", channels: config.embedDim)
    try config.validate(length: x.shape[0])
    var rng = SplitMix64(seed: 0)
    let module = MegaLayer(
      attention: config, ffnHiddenDim: try c.int("decoder_ffn_embed_dim"), causal: true,
      activationDropout: try c.dropout("activation_dropout", training: layer.training), rng: &rng)
    try layer.load(module)
    module.training = layer.training
    let out = module(x, paddingMask: try layer.paddingMask(for: x))
    return try layer.compare(module: module, differentiable: ["x": x], outputs: ["out": out])
  }
}
