import Layers
import Tensor

/// Golden kind `norm` (`SequenceNorm`); batch norm in train mode also compares the updated
/// running statistics and `num_batches_tracked`.
enum NormGoldenCase {
  static func run(_ file: GoldenFile) throws -> [GoldenComparison] {
    let c = file.config
    let norm = SequenceNorm(
      try c.normType("norm_type"), dim: try c.dimension("embedding_dim"),
      affine: try c.bool("affine"),
      eps: Float(try c.double("eps")))
    let layer = try LayerCase(file)
    let x = try layer.input("x", channels: try c.dimension("embedding_dim"))
    try layer.load(norm)
    var outputs = ["out": try norm(x, layer.context())]
    if let bn = norm.batchNorm {
      outputs["running_mean"] = bn.runningMean
      outputs["running_var"] = bn.runningVar
      outputs["num_batches_tracked"] = bn.numBatchesTracked
    }
    return try layer.compare(module: norm, differentiable: ["x": x], outputs: outputs)
  }
}
