/// Reductions and maps over one row of floats, written with SIMD accumulators so that they
/// vectorise (a plain `sum += x[i]` loop cannot: float addition is not reassociated).
public enum RowKernels {
  /// The largest of `p[0..<n]` (−∞ for an empty row).
  @inlinable
  public static func max(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>(repeating: -.infinity)
    var j = 0
    while j + 8 <= n {
      acc = pointwiseMax(acc, UnsafeRawPointer(p + j).loadUnaligned(as: SIMD8<Float>.self))
      j += 8
    }
    var m = acc.max()
    while j < n {
      m = Swift.max(m, p[j])
      j += 1
    }
    return m
  }

  /// `p[j] = e^{p[j] − shift}` for j < n; returns the sum of the new values.
  @inlinable
  public static func expSum(_ p: UnsafeMutablePointer<Float>, _ n: Int, shift: Float) -> Float {
    for j in 0..<n { p[j] = fastExp(p[j] - shift) }
    var acc = SIMD8<Float>(repeating: 0)
    var j = 0
    while j + 8 <= n {
      acc += UnsafeRawPointer(p + j).loadUnaligned(as: SIMD8<Float>.self)
      j += 8
    }
    var s = acc.sum()
    while j < n {
      s += p[j]
      j += 1
    }
    return s
  }
}
