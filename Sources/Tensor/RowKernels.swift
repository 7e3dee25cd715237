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
    return sum(p, n)
  }

  /// `d[j] += Σ_r g[r·stride + j]` for j < `width` over `rows` rows: the column sums of a
  /// gradient (a bias's). Row pointers, not `r·stride + j` indices, so that the loop carries no
  /// overflow check and vectorises.
  @inlinable
  public static func addColumnSums(
    _ g: UnsafePointer<Float>, rows: Int, width: Int, stride: Int? = nil,
    into d: UnsafeMutablePointer<Float>
  ) {
    let stride = stride ?? width
    for r in 0..<rows {
      let gr = g + r * stride
      for j in 0..<width { d[j] += gr[j] }
    }
  }

  /// `d[j] += Σ_r a[r·stride + j]·b[r·stride + j]` for j < `width` over `rows` rows (a scale's
  /// gradient).
  @inlinable
  public static func addColumnDots(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, rows: Int, width: Int,
    stride: Int? = nil, into d: UnsafeMutablePointer<Float>
  ) {
    let stride = stride ?? width
    for r in 0..<rows {
      let (ar, br) = (a + r * stride, b + r * stride)
      for j in 0..<width { d[j] += ar[j] * br[j] }
    }
  }

  /// `addColumnSums` with the columns split over `parallelism`'s threads (each column's sum
  /// still runs over the rows in order).
  public static func addColumnSums(
    _ g: UnsafePointer<Float>, rows: Int, width: Int, into d: UnsafeMutablePointer<Float>,
    _ parallelism: Parallelism
  ) {
    eachColumnRange(width, parallelism) { c0, n in
      addColumnSums(g + c0, rows: rows, width: n, stride: width, into: d + c0)
    }
  }

  /// `addColumnDots` with the columns split over `parallelism`'s threads.
  public static func addColumnDots(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, rows: Int, width: Int,
    into d: UnsafeMutablePointer<Float>, _ parallelism: Parallelism
  ) {
    eachColumnRange(width, parallelism) { c0, n in
      addColumnDots(a + c0, b + c0, rows: rows, width: n, stride: width, into: d + c0)
    }
  }

  /// `body(first, count)` for one range of columns per thread, cut at multiples of 16 columns
  /// (64 bytes), so that no two threads write the same cache line of the sums row after row.
  @inline(__always)
  public static func eachColumnRange(
    _ width: Int, _ parallelism: Parallelism, _ body: (_ first: Int, _ count: Int) -> Void
  ) {
    parallelism.forEachSplit((width + 15) / 16) { range, _ in
      let c0 = 16 * range.lowerBound
      body(c0, Swift.min(width, 16 * range.upperBound) - c0)
    }
  }

  /// The mean and biased variance of `p[0..<n]`, accumulated in double precision (two passes),
  /// four lanes at a time.
  @inlinable
  public static func meanAndVariance(_ p: UnsafePointer<Float>, _ n: Int) -> (
    mean: Double, variance: Double
  ) {
    @inline(__always) func lanes(_ j: Int) -> SIMD4<Double> {
      SIMD4<Double>(UnsafeRawPointer(p + j).loadUnaligned(as: SIMD4<Float>.self))
    }
    let whole = n - n % 4
    var acc = SIMD4<Double>()
    for j in stride(from: 0, to: whole, by: 4) { acc += lanes(j) }
    var sum = acc.sum()
    for j in whole..<n { sum += Double(p[j]) }
    let mean = sum / Double(n)
    var sq = SIMD4<Double>()
    for j in stride(from: 0, to: whole, by: 4) {
      let d = lanes(j) - mean
      sq += d * d
    }
    var ss = sq.sum()
    for j in whole..<n {
      let d = Double(p[j]) - mean
      ss += d * d
    }
    return (mean, ss / Double(n))
  }

  /// `Σ_j a[j]·b[j]` over `n` elements, eight lanes at a time.
  @inlinable
  public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    @inline(__always) func lanes(_ p: UnsafePointer<Float>, _ j: Int) -> SIMD8<Float> {
      UnsafeRawPointer(p + j).loadUnaligned(as: SIMD8<Float>.self)
    }
    var acc = SIMD8<Float>()
    var j = 0
    while j + 8 <= n {
      acc += lanes(a, j) * lanes(b, j)
      j += 8
    }
    var s = acc.sum()
    while j < n {
      s += a[j] * b[j]
      j += 1
    }
    return s
  }

  /// `Σ_j p[j]` over `n` elements, eight lanes at a time.
  @inlinable
  public static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>()
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
