import Tensor

#if canImport(Glibc)
  import Glibc
#endif

/// How a parameter is initialised when a layer is built from scratch (MODEL.md init columns).
/// Reference-output files and checkpoints overwrite these values through `Module.load`.
public enum Initializer: Sendable {
  /// Every element equal to a constant.
  case constant(Float)
  /// N(0, std²).
  case normal(std: Float)
  /// N(0, std²) redrawn until inside ±bound (PyTorch `trunc_normal_` with absolute bounds).
  case truncatedNormal(std: Float, bound: Float)
  /// Xavier-uniform for a `[fanOut, fanIn]` weight: U(−a, a), a = √(6 / (fanIn + fanOut)).
  case xavierUniform

  /// A trainable leaf of `shape` filled by this rule; with a shape-only generator its storage is
  /// left uninitialised and nothing is drawn.
  public func make(_ shape: [Int], rng: inout SplitMix64) -> Tensor {
    let n = shape.reduce(1, *)
    if rng.shapesOnly {
      let storage = [Float](unsafeUninitializedCapacity: n) { _, count in count = n }
      return Tensor(shape: shape, data: storage, requiresGrad: true)
    }
    var values = [Float](repeating: 0, count: n)
    switch self {
    case .constant(let c):
      for i in 0..<n { values[i] = c }
    case .normal(let std):
      for i in 0..<n { values[i] = Float(rng.normal()) * std }
    case .truncatedNormal(let std, let bound):
      for i in 0..<n {
        var v = Float(rng.normal()) * std
        while abs(v) > bound { v = Float(rng.normal()) * std }
        values[i] = v
      }
    case .xavierUniform:
      let fanOut = shape.first ?? 1
      let fanIn = n / max(fanOut, 1)
      let a = (6 / Double(fanIn + fanOut)).squareRoot()
      for i in 0..<n { values[i] = Float((2 * rng.uniform() - 1) * a) }
    }
    return Tensor(shape: shape, data: values, requiresGrad: true)
  }
}
