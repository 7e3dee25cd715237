#if canImport(Glibc)
  import Glibc
#endif

/// SplitMix64: a small, fast, seedable generator; the same sequence on every platform and rank.
/// It is its own module so that the data pipeline draws epoch orders without depending on the
/// tensor engine.
public struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64
  /// Whether this generator builds shapes only: modules built with it give their parameters
  /// uninitialised storage (never touched, so never resident) instead of drawn values, for reports
  /// of shapes and counts (`seqboat inspect --arch`).
  public let shapesOnly: Bool

  /// A generator whose sequence is fixed by `seed`; with `shapesOnly`, one for shape-only builds.
  public init(seed: UInt64, shapesOnly: Bool = false) {
    state = seed
    self.shapesOnly = shapesOnly
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform value in [0, 1).
  public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

  /// A standard normal value (Box–Muller).
  public mutating func normal() -> Double {
    let u1 = max(uniform(), 1e-300)
    let u2 = uniform()
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }
}
