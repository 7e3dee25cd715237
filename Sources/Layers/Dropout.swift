import Tensor

/// The position of every dropout's random stream. The trainer sets it before each update from the
/// run seed, the update count and the rank (as fairseq re-seeds with seed + num_updates), so a
/// resumed run draws the same masks as one that never stopped.
public enum DropoutStream {
  nonisolated(unsafe) public static var position: UInt64 = 0
}

/// Inverted dropout (`x·mask/(1−p)`) in train mode, the identity in eval mode or when p = 0.
/// Each instance draws one key per mask (`DropoutDraw`) from its own generator, restarted whenever
/// `DropoutStream` moves.
public final class Dropout {
  /// Probability of zeroing an element.
  public let p: Float
  /// Dropout is active only in train mode.
  public var training = false
  private let seed: UInt64
  private var position: UInt64
  private var rng: SplitMix64

  /// A dropout of probability `p` whose masks follow `seed` and the stream position.
  public init(_ p: Float, seed: UInt64) {
    precondition(p >= 0 && p < 1, "dropout probability \(p) outside [0, 1)")
    self.p = p
    self.seed = seed
    position = DropoutStream.position
    rng = Dropout.generator(seed: seed, position: position)
  }

  private static func generator(seed: UInt64, position: UInt64) -> SplitMix64 {
    SplitMix64(seed: seed ^ (position &* 0x9E37_79B9_7F4A_7C15))
  }

  /// The next mask, for ops that apply it themselves; nil when dropout is inactive.
  public func nextDraw() -> DropoutDraw? {
    guard training, p > 0 else { return nil }
    if position != DropoutStream.position {
      position = DropoutStream.position
      rng = Dropout.generator(seed: seed, position: position)
    }
    return DropoutDraw(p: p, key: rng.next())
  }

  /// `x` with dropout applied.
  public func callAsFunction(_ x: Tensor) -> Tensor {
    callAsFunction(x, after: .linear)
  }

  /// Dropout of `f(x)`, or of `f` of the columns `range` of x's last dimension, as one op
  /// (`Tensor.activated(_:lastDim:dropout:)`): no mask array, one pass over memory.
  public func callAsFunction(_ x: Tensor, after f: Activation, lastDim range: Range<Int>? = nil)
    -> Tensor
  {
    let draw = nextDraw()
    if draw == nil && range == nil { return x.activated(f) }
    return x.activated(f, lastDim: range ?? 0..<x.lastDim, dropout: draw)
  }
}
