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
    weightInit: Initializer = .normal(std: 0.02), collective: Collective = SingleProcess(),
    rng: inout SplitMix64
  ) {
    norm = SequenceNorm(normType, dim: embedDim, affine: normAffine, collective: collective)
    fc1 = Linear(embedDim, hiddenDim, weightInit: weightInit, rng: &rng)
    fc2 = Linear(hiddenDim, embedDim, weightInit: weightInit, rng: &rng)
    self.activation = activation
    self.prenorm = prenorm
    self.dropout = Dropout(dropout, seed: rng.next())
    self.hiddenDropout = Dropout(hiddenDropout, seed: rng.next())
  }

  /// Train mode (dropout, batch statistics) or eval mode.
  public var training: Bool {
    get { dropout.training }
    set {
      dropout.training = newValue
      hiddenDropout.training = newValue
      norm.training = newValue
    }
  }

  public var parameters: [(name: String, tensor: Tensor)] {
    scoped("norm", norm.parameters) + scoped("fc1", fc1.parameters) + scoped("fc2", fc2.parameters)
  }

  public var buffers: [(name: String, tensor: Tensor)] { scoped("norm", norm.buffers) }

  /// The block on `x` (`[..., E]`).
  public func callAsFunction(_ x: Tensor) -> Tensor {
    let normed = prenorm ? norm(x) : x
    let hidden = hiddenDropout(fc1(normed), after: activation)
    let out = dropout(fc2(hidden)) + x
    return prenorm ? out : norm(out)
  }
}
