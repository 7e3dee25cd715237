import Tensor

/// Mega's normalized feed-forward network (`NormalizedFeedForwardNetwork`, MODEL.md §3.8):
/// `fc2(act(fc1(x̂))) + x` with the norm before (pre-norm) or after (post-norm).
/// Names `fc1.*`, `fc2.*`, `norm.norm.*`.
public final class NormalizedFFN: Module {
  /// `norm`.
  public let norm: SequenceNorm
  /// `fc1` (E → F).
  public let fc1: Linear
  /// `fc2` (F → E).
  public let fc2: Linear
  /// The hidden activation.
  public let activation: Activation
  /// Norm before the block (true) or after the residual (false).
  public let prenorm: Bool
  private let dropout: Dropout
  private let hiddenDropout: Dropout

  /// An NFFN of width `embedDim` with hidden width `hiddenDim`. `dropout` acts on the output,
  /// `hiddenDropout` on the hidden activation; weights N(0, 0.02²) (or `weightInit`), biases 0.
  public init(
    embedDim: Int, hiddenDim: Int, activation: Activation, normType: NormType,
    normAffine: Bool = true, prenorm: Bool, dropout: Float = 0, hiddenDropout: Float = 0,
    weightInit: Initializer = .normal(std: 0.02), rng: inout SplitMix64
  ) {
    norm = SequenceNorm(normType, dim: embedDim, affine: normAffine)
    fc1 = Linear(embedDim, hiddenDim, weightInit: weightInit, rng: &rng)
    fc2 = Linear(hiddenDim, embedDim, weightInit: weightInit, rng: &rng)
    self.activation = activation
    self.prenorm = prenorm
    self.dropout = Dropout(dropout, site: rng.next())
    self.hiddenDropout = Dropout(hiddenDropout, site: rng.next())
  }

  public var members: [ModuleMember] {
    [.child("norm", norm), .child("fc1", fc1), .child("fc2", fc2)]
  }

  /// The block on `x` (`[L, B, E]`).
  public func callAsFunction(_ x: Tensor, _ ctx: ForwardContext) throws -> Tensor {
    let normed = prenorm ? try norm(x, ctx) : x
    let hidden = hiddenDropout(fc1(normed), .timeMajor, after: activation, ctx)
    let out = dropout(fc2(hidden), .timeMajor, ctx) + x
    return prenorm ? out : try norm(out, ctx)
  }
}
