import Tensor

/// The normalisation types of `SequenceNorm` (MODEL.md §3.7), by reference name.
public enum NormType: String, Sendable, CaseIterable {
  case layernorm, scalenorm, rmsnorm, batchnorm, syncbatchnorm
}

/// Mega's `SequenceNorm`: one normalisation of `[..., E]` activations over the last dimension (or, for
/// batch norm, per channel over all positions). State names are those of the reference module:
/// `norm.weight`, `norm.bias`, `norm.scalar`, batch norm's `norm.running_mean`, … (eps 1e-5).
public final class SequenceNorm: Module {
  /// Which normalisation.
  public let type: NormType
  /// `[E]` (layernorm, rmsnorm) or `[1]` (scalenorm), nil without affine or for batch norm.
  public let weight: Tensor?
  /// `[E]` (layernorm only), nil otherwise.
  public let bias: Tensor?
  /// The batch norm (batchnorm and syncbatchnorm types).
  public let batchNorm: BatchNorm?
  /// Added to the variance or mean square.
  public let eps: Float

  /// A norm of `type` over `dim` channels.
  public init(_ type: NormType, dim: Int, affine: Bool = true, eps: Float = 1e-5) {
    self.type = type
    self.eps = eps
    func ones(_ n: Int) -> Tensor {
      Tensor(shape: [n], data: .init(repeating: 1, count: n), requiresGrad: true)
    }
    switch type {
    case .layernorm:
      weight = affine ? ones(dim) : nil
      bias = affine ? .zeros([dim], requiresGrad: true) : nil
      batchNorm = nil
    case .scalenorm:
      weight = affine ? ones(1) : nil
      bias = nil
      batchNorm = nil
    case .rmsnorm:
      weight = affine ? ones(dim) : nil
      bias = nil
      batchNorm = nil
    case .batchnorm, .syncbatchnorm:
      weight = nil
      bias = nil
      batchNorm = BatchNorm(
        dim: dim, affine: affine, eps: eps, synchronised: type == .syncbatchnorm)
    }
  }

  public var members: [ModuleMember] {
    .child("norm", batchNorm)
      + .parameter(type == .scalenorm ? "norm.scalar" : "norm.weight", weight)
      + .parameter("norm.bias", bias)
  }

  /// Normalises `x` (`[..., E]`); batch norm reads the mode and ranks of `ctx`.
  public func callAsFunction(_ x: Tensor, _ ctx: ForwardContext) throws -> Tensor {
    switch type {
    case .layernorm: return x.layerNorm(weight: weight, bias: bias, eps: eps)
    case .scalenorm, .rmsnorm: return x.rmsNorm(weight: weight, eps: eps)
    case .batchnorm, .syncbatchnorm: return try batchNorm!(x, ctx)
    }
  }
}
