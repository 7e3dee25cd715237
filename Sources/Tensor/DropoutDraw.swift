/// One dropout mask: element i is dropped (scale 0) when 32 bits hashed from (i, key) fall below
/// `⌈p·2³²⌉`, so P(drop) = p within 2⁻³², and kept with scale 1/(1−p) otherwise. The hash is two
/// rounds of a 32-bit integer finaliser (multiply, xor-shift; Wellons' "lowbias32" constants),
/// the second keyed by the key's upper half, so that masks of keys whose upper halves differ are
/// neither equal nor shifted copies of each other (keys come from a 64-bit generator). It needs only 32-bit multiplies, so a loop over the elements
/// runs 8 at a time, and any element can be drawn on its own (fused ops draw in their own order).
public struct DropoutDraw: Sendable {
  @usableFromInline let low: UInt32
  @usableFromInline let high: UInt32
  @usableFromInline let threshold: UInt32
  @usableFromInline let keep: Float

  /// The mask of probability `p` (in [0, 1)) for `key`.
  public init(p: Float, key: UInt64) {
    low = UInt32(truncatingIfNeeded: key)
    high = UInt32(truncatingIfNeeded: key >> 32)
    threshold = UInt32(min((Double(p) * 0x1p32).rounded(.up), Double(UInt32.max)))
    keep = 1 / (1 - p)
  }

  /// The scale of element `i` (`i < 2³²`): 0 or 1/(1−p).
  @inlinable @inline(__always) public func scale(_ i: Int) -> Float {
    let bits = DropoutDraw.mix(DropoutDraw.mix(UInt32(truncatingIfNeeded: i) &+ low) ^ high)
    return bits < threshold ? 0 : keep
  }

  /// Multiplies `p[j]` by the scale of element `first + j` for j < `count`, eight at a time.
  @inlinable
  public func apply(to p: UnsafeMutablePointer<Float>, first: Int, count: Int) {
    for j in 0..<count { p[j] *= scale(first &+ j) }
  }

  @inlinable @inline(__always) static func mix(_ v: UInt32) -> UInt32 {
    var x = v
    x ^= x >> 16
    x &*= 0x7FEB_352D
    x ^= x >> 15
    x &*= 0x846C_A68B
    x ^= x >> 16
    return x
  }
}
