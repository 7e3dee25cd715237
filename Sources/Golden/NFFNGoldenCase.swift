import Layers
import Tensor

/// Golden kind `nffn` (`NormalizedFeedForwardNetwork`).
enum NFFNGoldenCase {
  static func run(_ file: GoldenFile) throws -> [GoldenComparison] {
    let c = file.config
    let layer = try LayerCase(file)
    var rng = SplitMix64(seed: 0)
    let ffn = NormalizedFFN(
      embedDim: try c.dimension("embed_dim"), hiddenDim: try c.dimension("ffn_hidden_dim"),
      activation: try c.activation("activation"), normType: try c.normType("norm_type"),
      normAffine: c.has("norm_affine") ? try c.bool("norm_affine") : true,
      prenorm: try c.bool("prenorm"), dropout: try c.dropout("dropout", training: layer.training),
      hiddenDropout: try c.dropout("hidden_dropout", training: layer.training), rng: &rng)
    let x = try layer.input("x", channels: ffn.fc1.inFeatures)
    try layer.load(ffn)
    let out = try ffn(x, layer.context())
    return try layer.compare(module: ffn, differentiable: ["x": x], outputs: ["out": out])
  }
}
