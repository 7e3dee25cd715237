@_exported import Random

extension Tensor {
  /// A leaf of values drawn from N(0, std²) by `rng`.
  public static func randn(
    _ shape: [Int], std: Float = 1, rng: inout SplitMix64, requiresGrad: Bool = false
  ) -> Tensor {
    let n = shape.reduce(1, *)
    let values = (0..<n).map { _ in Float(rng.normal()) * std }
    return Tensor(shape: shape, data: values, requiresGrad: requiresGrad)
  }
}
