import Tensor

/// Inverted dropout (`x·mask/(1−p)`) in train mode, the identity in eval mode or when p = 0.
/// Each instance draws its masks from its own generator.
public final class Dropout {
  /// Probability of zeroing an element.
  public let p: Float
  /// Dropout is active only in train mode.
  public var training = false
  private var rng: SplitMix64

  /// A dropout of probability `p` whose masks follow `seed`.
  public init(_ p: Float, seed: UInt64) {
    precondition(p >= 0 && p < 1, "dropout probability \(p) outside [0, 1)")
    self.p = p
    rng = SplitMix64(seed: seed)
  }

  /// One factor per element (0 or 1/(1−p)), or nil when dropout is inactive.
  public func scales(count: Int) -> [Float]? {
    guard training, p > 0 else { return nil }
    let keep = 1 / (1 - p)
    return (0..<count).map { _ in rng.uniform() < Double(p) ? 0 : keep }
  }

  /// `x` with dropout applied.
  public func callAsFunction(_ x: Tensor) -> Tensor {
    guard let mask = scales(count: x.count) else { return x }
    return x.masked(by: mask)
  }
}
