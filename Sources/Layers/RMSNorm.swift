import Tensor

extension Tensor {
  /// Root-mean-square normalisation over the last dimension, one fused op:
  /// `x / √(mean(x²) + ε)`, multiplied elementwise by `weight` (`[E]`, rmsnorm) or by the one value
  /// of `weight` (`[1]`, scalenorm), or by nothing (no affine). The math is `RMSNormKernels`.
  public func rmsNorm(weight: Tensor?, eps: Float) -> Tensor {
    let n = lastDim
    let rows = count / max(n, 1)
    let scalar = weight?.count == 1 && n != 1
    precondition(weight == nil || weight!.count == n || scalar, "rmsNorm weight \(weight!.shape)")
    let saved = RMSNormKernels.Saved(rows: rows, n: n)
    let parallelism = Parallelism.current
    for j in 0..<n { saved.w.base[j] = weight.map { scalar ? $0.data[0] : $0.data[j] } ?? 1 }
    let y = Tensor.withData([self]) { x in
      Tensor.uninitializedArray(count) { y in
        RMSNormKernels.forward(y, saved, x: x[0], rows: rows, n: n, eps: eps, parallelism)
      }
    }
    let parents = [self] + [weight].compactMap { $0 }
    return .fused(shape: shape, data: y, parents: parents) { g, d in
      Tensor.withData([self]) { x in
        RMSNormKernels.backward(
          d[0], d.count > 1 ? d[1] : nil, g, x: x[0], saved, scalar: scalar, rows: rows, n: n,
          parallelism)
      }
    }
  }
}

/// RMS normalisation's kernels over `rows` rows of `n` values.
enum RMSNormKernels {
  /// The weight spread over the row (`[n]`, ones without affine) and each row's
  /// `1/√(mean(x²) + ε)`.
  final class Saved {
    let w: FloatBuffer
    let inv: FloatBuffer

    init(rows: Int, n: Int) {
      w = FloatBuffer(zeros: n)
      inv = FloatBuffer(zeros: rows)
    }
  }

  /// `y = x ⊙ inv ⊙ w`, the mean square in double precision.
  static func forward(
    _ y: UnsafeMutablePointer<Float>, _ saved: Saved, x: UnsafePointer<Float>, rows: Int, n: Int,
    eps: Float, _ parallelism: Parallelism
  ) {
    let w = saved.w.base
    parallelism.forEachSplit(rows) { range, _ in
      for r in range {
        let (xr, yr) = (x + r * n, y + r * n)
        var ms: Double = 0
        for j in 0..<n { ms += Double(xr[j]) * Double(xr[j]) }
        let s = Float(1 / (ms / Double(n) + Double(eps)).squareRoot())
        saved.inv.base[r] = s
        for j in 0..<n { yr[j] = xr[j] * s * w[j] }
      }
    }
  }

  /// Adds `dL/dx` and `dL/dweight` (one value when `scalar`) given the output gradient `g`; nil
  /// pointers are skipped.
  static func backward(
    _ dx: UnsafeMutablePointer<Float>?, _ dw: UnsafeMutablePointer<Float>?,
    _ g: UnsafePointer<Float>, x: UnsafePointer<Float>, _ saved: Saved, scalar: Bool, rows: Int,
    n: Int, _ parallelism: Parallelism
  ) {
    let (w, inv) = (saved.w.base, saved.inv.base)
    if let dx {
      parallelism.forEachSplit(rows) { range, _ in
        for r in range {
          let (gr, xr, dr) = (g + r * n, x + r * n, dx + r * n)
          var m: Float = 0
          for j in 0..<n { m += gr[j] * w[j] * xr[j] }
          m /= Float(n)
          let s = inv[r]
          let s3m = s * s * s * m
          for j in 0..<n { dr[j] += s * gr[j] * w[j] - xr[j] * s3m }
        }
      }
    }
    guard let dw else { return }
    // ScaleNorm's one weight sums every element in order; rmsnorm's columns are split.
    parallelism.forEachSplit(scalar ? 1 : n) { cols, _ in
      for r in 0..<rows {
        for j in (scalar ? 0..<n : cols) {
          dw[scalar ? 0 : j] += g[r * n + j] * x[r * n + j] * inv[r]
        }
      }
    }
  }
}
