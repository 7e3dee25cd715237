import Layers
import Tensor

/// Golden kinds `mega_attention` (`MovingAverageGatedAttention`), `mega_encoder_layer`
/// (`MegaSentenceEncoderLayer`) and `mega_decoder_layer` (`MegaDecoderLayer`, args namespace).
/// The three read the same settings under different config keys (`MegaConfigKeys`).
enum MegaGoldenCase {
  static func attention(_ file: GoldenFile) throws -> [GoldenComparison] {
    let layer = try LayerCase(file)
    let config = try gatedAttentionConfig(file.config, .attention, training: layer.training)
    let x = try layer.input("x", channels: config.embedDim)
    try config.validate(length: x.shape[0])
    var rng = SplitMix64(seed: 0)
    let module = GatedAttention(config, rng: &rng)
    try layer.load(module)
    let (out, weights) = try module(
      x, paddingMask: try layer.paddingMask(for: x), causal: layer.causal, layer.context())
    return try layer.compare(
      module: module, differentiable: ["x": x], outputs: ["out": out, "attn_weights": weights])
  }

  static func encoderLayer(_ file: GoldenFile) throws -> [GoldenComparison] {
    try megaLayer(file, .encoderLayer, causal: false)
  }

  static func decoderLayer(_ file: GoldenFile) throws -> [GoldenComparison] {
    try megaLayer(file, .decoderLayer, causal: true)
  }

  private static func megaLayer(_ file: GoldenFile, _ keys: MegaConfigKeys, causal: Bool) throws
    -> [GoldenComparison]
  {
    let c = file.config
    let layer = try LayerCase(file)
    if causal && !layer.causal {
      throw GoldenError.invalid("mega_decoder_layer case without /inputs/attn_mask")
    }
    let config = try gatedAttentionConfig(c, keys, training: layer.training)
    let x = try layer.input("x", channels: config.embedDim)
    try config.validate(length: x.shape[0])
    var rng = SplitMix64(seed: 0)
    let module = MegaLayer(
      attention: config, ffnHiddenDim: try c.optionalInt(keys.ffnHiddenDim) ?? -1, causal: causal,
      activationDropout: try keys.activationDropout.map {
        try c.dropout($0, training: layer.training)
      }, rng: &rng)
    try layer.load(module)
    let out = try module(x, paddingMask: try layer.paddingMask(for: x), layer.context())
    return try layer.compare(module: module, differentiable: ["x": x], outputs: ["out": out])
  }

  /// The attention settings of a config under `keys`; `bidirectional` is read only where the kind
  /// has the key (the layers set it themselves).
  private static func gatedAttentionConfig(
    _ c: GoldenConfig, _ keys: MegaConfigKeys, training: Bool
  ) throws -> GatedAttentionConfig {
    GatedAttentionConfig(
      embedDim: try c.dimension(keys.embedDim), zdim: try c.dimension(keys.zDim),
      hdim: try c.dimension(keys.hiddenDim), ndim: try c.dimension(keys.nDim),
      chunkSize: try c.int(keys.chunkSize), truncation: try c.truncation(keys.truncation),
      bidirectional: c.has("bidirectional") ? try c.bool("bidirectional") : true,
      activation: try c.activation(keys.activation),
      attentionFunction: try c.attentionFunction(keys.attentionFunction),
      normType: try c.normType(keys.normType),
      normAffine: c.has("norm_affine") ? try c.bool("norm_affine") : true,
      prenorm: try c.bool(keys.prenorm), relativePosition: try c.relativePosition("rel_pos_bias"),
      maxPositions: try c.dimension(keys.maxPositions),
      dropout: try c.dropout("dropout", training: training),
      attentionDropout: try c.dropout("attention_dropout", training: training),
      hiddenDropout: try c.dropout("hidden_dropout", training: training))
  }
}

/// Where each Mega setting lives in a golden config of one kind (the reference constructors'
/// keyword names, or the decoder's args namespace).
struct MegaConfigKeys {
  let embedDim, zDim, hiddenDim, nDim, chunkSize, truncation: String
  let activation, attentionFunction, normType, prenorm, maxPositions: String
  let ffnHiddenDim: String
  let activationDropout: String?

  static let attention = MegaConfigKeys(
    embedDim: "embed_dim", zDim: "zdim", hiddenDim: "hdim", nDim: "ndim", chunkSize: "chunk_size",
    truncation: "truncation", activation: "activation", attentionFunction: "attention_activation",
    normType: "norm_type", prenorm: "prenorm", maxPositions: "max_positions",
    ffnHiddenDim: "ffn_hidden_dim", activationDropout: nil)
  static let encoderLayer = MegaConfigKeys(
    embedDim: "embedding_dim", zDim: "z_dim", hiddenDim: "hidden_dim", nDim: "n_dim",
    chunkSize: "chunk_size", truncation: "truncation", activation: "activation",
    attentionFunction: "attention_activation", normType: "norm_type", prenorm: "prenorm",
    maxPositions: "max_positions", ffnHiddenDim: "ffn_hidden_dim", activationDropout: nil)
  static let decoderLayer = MegaConfigKeys(
    embedDim: "decoder_embed_dim", zDim: "decoder_z_dim", hiddenDim: "decoder_hidden_dim",
    nDim: "decoder_n_dim", chunkSize: "decoder_chunk_size", truncation: "truncation_length",
    activation: "activation_fn", attentionFunction: "attention_activation_fn",
    normType: "normalization_type", prenorm: "normalize_before",
    maxPositions: "max_target_positions", ffnHiddenDim: "decoder_ffn_embed_dim",
    activationDropout: "activation_dropout")
}
