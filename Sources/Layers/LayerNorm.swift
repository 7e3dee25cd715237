import Tensor

extension Tensor {
  /// Layer normalisation over the last dimension, one fused op: `(x − μ)/√(σ² + ε) ⊙ w + b` with the
  /// biased variance; `weight` and `bias` (`[E]`) are both given or both nil (no affine).
  /// The math is `LayerNormKernels.forward` and `backward`.
  public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
    precondition((weight == nil) == (bias == nil), "layerNorm: weight and bias, or neither")
    let n = lastDim
    let rows = count / max(n, 1)
    let saved = LayerNormKernels.Saved(rows: rows, n: n)
    let parallelism = Parallelism.current
    let affine = [weight, bias].compactMap { $0 }
    let scale = weight ?? Tensor.full([n], 1)
    let y = Tensor.withData([self, scale] + affine) { x in
      Tensor.uninitializedArray(count) { y in
        LayerNormKernels.forward(
          y, saved, x: x[0], weight: affine.isEmpty ? nil : x[2],
          bias: affine.isEmpty ? nil : x[3], rows: rows, n: n, eps: eps, parallelism)
      }
    }
    return .fused(shape: shape, data: y, parents: [self] + affine) { g, d in
      scale.data.withUnsafeBufferPointer { w in
        LayerNormKernels.backward(
          d[0], d.count > 1 ? d[1] : nil, d.count > 2 ? d[2] : nil, g, saved, scale: w.baseAddress!,
          rows: rows, n: n, parallelism)
      }
    }
  }
}

/// Layer normalisation's kernels over `rows` rows of `n` values.
enum LayerNormKernels {
  /// The normalised rows `x̂` and each row's `1/√(σ² + ε)`, for backward.
  final class Saved {
    let xhat: FloatBuffer
    let rstd: FloatBuffer

    init(rows: Int, n: Int) {
      xhat = FloatBuffer(zeros: rows * n)
      rstd = FloatBuffer(zeros: rows)
    }
  }

  /// `y = x̂ ⊙ weight + bias` (or `x̂` without affine), statistics in double precision.
  static func forward(
    _ y: UnsafeMutablePointer<Float>, _ saved: Saved, x: UnsafePointer<Float>,
    weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, rows: Int, n: Int, eps: Float,
    _ parallelism: Parallelism
  ) {
    func row(_ r: Int) {
      let (xr, hr, yr) = (x + r * n, saved.xhat.base + r * n, y + r * n)
      let (mean, v) = RowKernels.meanAndVariance(xr, n)
      let s = Float(1 / (v + Double(eps)).squareRoot())
      saved.rstd.base[r] = s
      let m = Float(mean)
      for j in 0..<n { hr[j] = (xr[j] - m) * s }
      if let weight, let bias {
        for j in 0..<n { yr[j] = hr[j] * weight[j] + bias[j] }
      } else {
        yr.update(from: hr, count: n)
      }
    }
    parallelism.forEachSplit(rows) { range, _ in
      for r in range { row(r) }
    }
  }

  /// Adds `dL/dx`, `dL/dweight`, `dL/dbias` given the output gradient `g`; `scale` is the weight
  /// (ones without affine); nil pointers are skipped.
  static func backward(
    _ dx: UnsafeMutablePointer<Float>?, _ dw: UnsafeMutablePointer<Float>?,
    _ db: UnsafeMutablePointer<Float>?, _ g: UnsafePointer<Float>, _ saved: Saved,
    scale: UnsafePointer<Float>, rows: Int, n: Int, _ parallelism: Parallelism
  ) {
    if let dx {
      let work = UnsafeMutablePointer<Float>.allocate(capacity: n * parallelism.threads)
      defer { work.deallocate() }
      func row(_ r: Int, _ dh: UnsafeMutablePointer<Float>) {
        let (gr, hr, dr) = (g + r * n, saved.xhat.base + r * n, dx + r * n)
        for j in 0..<n { dh[j] = gr[j] * scale[j] }
        let m1 = RowKernels.sum(dh, n) / Float(n)
        let m2 = RowKernels.dot(dh, hr, n) / Float(n)
        let s = saved.rstd.base[r]
        for j in 0..<n { dr[j] += s * (dh[j] - m1 - hr[j] * m2) }
      }
      parallelism.forEachSplit(rows) { range, worker in
        for r in range { row(r, work + worker * n) }
      }
    }
    if let dw {
      RowKernels.addColumnDots(g, saved.xhat.base, rows: rows, width: n, into: dw, parallelism)
    }
    if let db { RowKernels.addColumnSums(g, rows: rows, width: n, into: db, parallelism) }
  }
}
