import Layers
import Tensor

/// Golden kinds `ema` (Mega's `MultiHeadEMA`, silu inside) and `seqboat_ema` (SeqBoat's, raw).
enum EMAGoldenCase {
  static func run(_ file: GoldenFile, outputSilu: Bool) throws -> [GoldenComparison] {
    let c = file.config
    var rng = SplitMix64(seed: 0)
    let ema = MultiHeadEMA(
      embedDim: try c.dimension("embed_dim"), ndim: try c.dimension("ndim"),
      bidirectional: try c.bool("bidirectional"), truncation: try c.truncation("truncation"),
      outputSilu: outputSilu, rng: &rng)
    let layer = try LayerCase(file)
    let x = try layer.input("x", channels: ema.embedDim)
    try layer.load(ema)
    let out = ema(x, paddingMask: try layer.paddingMask(for: x))
    return try layer.compare(module: ema, differentiable: ["x": x], outputs: ["out": out])
  }
}
