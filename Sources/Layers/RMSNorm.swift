import Tensor

extension Tensor {
  /// Root-mean-square normalisation over the last dimension, one fused op:
  /// `x / √(mean(x²) + ε)`, multiplied elementwise by `weight` (`[E]`, rmsnorm) or by the one value
  /// of `weight` (`[1]`, scalenorm), or by nothing (no affine).
  public func rmsNorm(weight: Tensor?, eps: Float) -> Tensor {
    let n = lastDim
    let rows = count / max(n, 1)
    let scalar = weight?.count == 1 && n != 1
    precondition(weight == nil || weight!.count == n || scalar, "rmsNorm weight \(weight!.shape)")
    let x = data
    let w = (0..<n).map { j in weight.map { scalar ? $0.data[0] : $0.data[j] } ?? 1 }
    var inv = [Float](repeating: 0, count: rows)
    var y = [Float](repeating: 0, count: count)
    for r in 0..<rows {
      let o = r * n
      var ms: Double = 0
      for j in 0..<n { ms += Double(x[o + j]) * Double(x[o + j]) }
      let s = Float(1 / (ms / Double(n) + Double(eps)).squareRoot())
      inv[r] = s
      for j in 0..<n { y[o + j] = x[o + j] * s * w[j] }
    }
    let parents = [self] + [weight].compactMap { $0 }
    return .op(shape: shape, data: y, parents: parents) { out in
      let g = out.grad!
      self.accumulateGrad { dx in
        for r in 0..<rows {
          let o = r * n
          var m: Float = 0
          for j in 0..<n { m += g[o + j] * w[j] * x[o + j] }
          m /= Float(n)
          let s = inv[r]
          let s3m = s * s * s * m
          for j in 0..<n { dx[o + j] += s * g[o + j] * w[j] - x[o + j] * s3m }
        }
      }
      weight?.accumulateGrad { dw in
        for r in 0..<rows {
          for j in 0..<n { dw[scalar ? 0 : j] += g[r * n + j] * x[r * n + j] * inv[r] }
        }
      }
    }
  }
}
