/// One dropout mask: element g is dropped (scale 0) when 32 bits hashed from (g, key) fall below
/// `⌈p·2³²⌉`, so P(drop) = p within 2⁻³², and kept with scale 1/(1−p) otherwise. The hash is two
/// rounds of a 32-bit integer finaliser (multiply, xor-shift; Wellons' "lowbias32" constants),
/// the second keyed by the key's upper half and the index's upper half, so that masks of keys
/// whose upper halves differ are neither equal nor shifted copies of each other (keys come from a
/// 64-bit generator). It needs only 32-bit multiplies, so a loop over the elements runs 8 at a
/// time, and any element can be drawn on its own (fused ops draw in their own order).
///
/// g is the element's global index: its flat index on one process, or on a rank holding part of
/// the batch the index the same element has in the whole batch (`DropoutIndexMap`), so that a
/// mask does not depend on the number of ranks.
public struct DropoutDraw: Sendable {
  @usableFromInline let low: UInt32
  @usableFromInline let high: UInt32
  @usableFromInline let threshold: UInt32
  @usableFromInline let keep: Float
  @usableFromInline let map: DropoutIndexMap?

  /// The mask of probability `p` (in [0, 1)) for `key`.
  public init(p: Float, key: UInt64) {
    low = UInt32(truncatingIfNeeded: key)
    high = UInt32(truncatingIfNeeded: key >> 32)
    threshold = UInt32(min((Double(p) * 0x1p32).rounded(.up), Double(UInt32.max)))
    keep = 1 / (1 - p)
    map = nil
  }

  private init(_ draw: DropoutDraw, map: DropoutIndexMap?) {
    (low, high, threshold, keep) = (draw.low, draw.high, draw.threshold, draw.keep)
    self.map = map
  }

  /// This mask with local indices mapped to global ones by `map` (nil: the identity).
  public func mapped(_ map: DropoutIndexMap?) -> DropoutDraw { DropoutDraw(self, map: map) }

  /// The scale of local element `i`: 0 or 1/(1−p).
  @inlinable @inline(__always) public func scale(_ i: Int) -> Float {
    globalScale(map?.global(i) ?? i)
  }

  /// The scale of the element with global index `g`.
  @inlinable @inline(__always) public func globalScale(_ g: Int) -> Float {
    let upper = UInt32(truncatingIfNeeded: g >> 32) &* 0x9E37_79B1
    let bits = DropoutDraw.mix(
      DropoutDraw.mix(UInt32(truncatingIfNeeded: g) &+ low) ^ (high &+ upper))
    return bits < threshold ? 0 : keep
  }

  /// Multiplies `p[j]` by the scale of local element `first + j` for j < `count`, eight at a
  /// time; under a map, run by run of consecutive global indices.
  @inlinable
  public func apply(to p: UnsafeMutablePointer<Float>, first: Int, count: Int) {
    guard let map else { return applyGlobal(to: p, first: first, count: count) }
    map.runs(first: first, count: count) { offset, global, length in
      applyGlobal(to: p + offset, first: global, count: length)
    }
  }

  /// `p[j] *= globalScale(first + j)`, eight lanes at a time wherever the eight indices share
  /// their upper 32 bits (everywhere but at a multiple of 2³²): the same bits as the scalar form.
  @inlinable func applyGlobal(to p: UnsafeMutablePointer<Float>, first: Int, count: Int) {
    typealias Bits = SIMD8<UInt32>
    let (low, threshold, keep) = (self.low, self.threshold, self.keep)
    var j = 0
    while j + 8 <= count {
      let g = first &+ j
      guard g >> 32 == (g &+ 7) >> 32 else { break }
      let upper = UInt32(truncatingIfNeeded: g >> 32) &* 0x9E37_79B1
      let index =
        Bits(repeating: UInt32(truncatingIfNeeded: g) &+ low) &+ Bits(0, 1, 2, 3, 4, 5, 6, 7)
      let bits = DropoutDraw.mix(DropoutDraw.mix(index) ^ Bits(repeating: high &+ upper))
      let scale = SIMD8<Float>(repeating: keep).replacing(
        with: 0, where: bits .< Bits(repeating: threshold))
      let at = UnsafeMutableRawPointer(p + j)
      at.storeBytes(of: at.loadUnaligned(as: SIMD8<Float>.self) * scale, as: SIMD8<Float>.self)
      j += 8
    }
    for i in j..<count { p[i] *= globalScale(first &+ i) }
  }

  @inlinable @inline(__always) static func mix(_ v: SIMD8<UInt32>) -> SIMD8<UInt32> {
    var x = v
    x ^= x &>> 16
    x &*= 0x7FEB_352D
    x ^= x &>> 15
    x &*= 0x846C_A68B
    x ^= x &>> 16
    return x
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
