import Tensor

/// A fully connected layer `y = x·Wᵀ + b` (names `weight [out, in]`, `bias [out]`).
public final class Linear: Module {
  /// `[out, in]`.
  public let weight: Tensor
  /// `[out]`, or nil for a layer without bias.
  public let bias: Tensor?

  /// A layer of `inFeatures → outFeatures`; the bias starts at zero.
  public init(
    _ inFeatures: Int, _ outFeatures: Int, bias: Bool = true,
    weightInit: Initializer = .normal(std: 0.02), rng: inout SplitMix64
  ) {
    weight = weightInit.make([outFeatures, inFeatures], rng: &rng)
    self.bias = bias ? Initializer.constant(0).make([outFeatures], rng: &rng) : nil
  }

  /// Input features.
  public var inFeatures: Int { weight.shape[1] }
  /// Output features.
  public var outFeatures: Int { weight.shape[0] }

  public var members: [ModuleMember] { [.parameter("weight", weight)] + .parameter("bias", bias) }

  /// Applies the layer over the last dimension of `x`.
  public func callAsFunction(_ x: Tensor) -> Tensor { x.linear(weight, bias) }
}
