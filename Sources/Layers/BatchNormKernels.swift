import Tensor

/// Batch normalisation's kernels over `rows` rows of `e` channels; per-channel sums in double
/// precision, rows in order. Sums run on the current threads by groups of channels, the maps by
/// rows: the bits do not depend on the thread count.
enum BatchNormKernels {
  /// The normalised rows `x̂`, each channel's `1/√(σ² + ε)` and the number of rows the statistics
  /// were taken over (every rank's when synchronised), for backward.
  final class Saved {
    let xhat: FloatBuffer
    let rstd: FloatBuffer
    var total: Double

    init(rows: Int, e: Int) {
      xhat = FloatBuffer(zeros: rows * e)
      rstd = FloatBuffer(zeros: e)
      total = Double(rows)
    }
  }

  /// `[Σx per channel, Σx² per channel, rows]` (`2e + 1` values), to be summed over ranks.
  static func statistics(_ x: UnsafePointer<Float>, rows: Int, e: Int) -> [Double] {
    var sums = [Double](repeating: 0, count: 2 * e + 1)
    sums.withUnsafeMutableBufferPointer { p in
      let (s1, s2) = (p.baseAddress!, p.baseAddress! + e)
      RowKernels.eachColumnRange(e, .current) { c0, n in
        for r in 0..<rows {
          let xr = x + r * e
          for c in c0..<(c0 + n) {
            s1[c] += Double(xr[c])
            s2[c] += Double(xr[c]) * Double(xr[c])
          }
        }
      }
    }
    sums[2 * e] = Double(rows)
    return sums
  }

  /// `x̂ = (x − mean)·rstd` into `saved`, `y = x̂ ⊙ weight + bias`.
  static func forward(
    _ y: UnsafeMutablePointer<Float>, _ saved: Saved, x: UnsafePointer<Float>,
    mean: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    rows: Int, e: Int
  ) {
    let (s, xhat) = (saved.rstd.base, saved.xhat.base)
    Parallelism.current.forEachSplit(rows, grain: 64) { range, _ in
      for r in range {
        let (xr, hr, yr) = (x + r * e, xhat + r * e, y + r * e)
        for c in 0..<e {
          hr[c] = (xr[c] - mean[c]) * s[c]
          yr[c] = hr[c] * weight[c] + bias[c]
        }
      }
    }
  }

  /// `[Σg per channel (the bias gradient), Σg·x̂ per channel (the weight gradient)]`.
  static func gradientSums(_ g: UnsafePointer<Float>, _ saved: Saved, rows: Int, e: Int)
    -> [Double]
  {
    var sums = [Double](repeating: 0, count: 2 * e)
    sums.withUnsafeMutableBufferPointer { p in
      let (s1, s2, xhat) = (p.baseAddress!, p.baseAddress! + e, saved.xhat.base)
      RowKernels.eachColumnRange(e, .current) { c0, n in
        for r in 0..<rows {
          let (gr, hr) = (g + r * e, xhat + r * e)
          for c in c0..<(c0 + n) {
            s1[c] += Double(gr[c])
            s2[c] += Double(gr[c]) * Double(hr[c])
          }
        }
      }
    }
    return sums
  }

  /// Adds the weight and bias gradients of `gradientSums` (nil pointers are skipped).
  static func addParameterGradients(
    _ dw: UnsafeMutablePointer<Float>?, _ db: UnsafeMutablePointer<Float>?, sums: [Double]
  ) {
    let e = sums.count / 2
    if let dw { for c in 0..<e { dw[c] += Float(sums[e + c]) } }
    if let db { for c in 0..<e { db[c] += Float(sums[c]) } }
  }

  /// Adds `dx = rstd·(g·weight − m₁ − x̂·m₂)` with `m₁, m₂` the per-channel `moments` (sums of
  /// g·weight and g·weight·x̂; zeros in eval mode) over the saved row count.
  static func backward(
    _ dx: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ saved: Saved,
    weight: UnsafePointer<Float>, moments: [Double], rows: Int, e: Int
  ) {
    let means = moments.map { Float($0 / saved.total) }
    means.withUnsafeBufferPointer { p in
      let (m1, m2, s, xhat) = (p.baseAddress!, p.baseAddress! + e, saved.rstd.base, saved.xhat.base)
      Parallelism.current.forEachSplit(rows, grain: 64) { range, _ in
        for r in range {
          let (gr, hr, dr) = (g + r * e, xhat + r * e, dx + r * e)
          for c in 0..<e { dr[c] += s[c] * (gr[c] * weight[c] - m1[c] - hr[c] * m2[c]) }
        }
      }
    }
  }
}
