import Tensor

extension Tensor {
  /// Layer normalisation over the last dimension, one fused op: `(x − μ)/√(σ² + ε) ⊙ w + b` with the
  /// biased variance; `weight` and `bias` (`[E]`) are both given or both nil (no affine).
  public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
    let n = lastDim
    let rows = count / max(n, 1)
    var xhat = [Float](repeating: 0, count: count)
    var rstd = [Float](repeating: 0, count: rows)
    var y = [Float](repeating: 0, count: count)
    for r in 0..<rows {
      let o = r * n
      var mean: Double = 0
      for j in 0..<n { mean += Double(data[o + j]) }
      mean /= Double(n)
      var v: Double = 0
      for j in 0..<n {
        let d = Double(data[o + j]) - mean
        v += d * d
      }
      let s = Float(1 / (v / Double(n) + Double(eps)).squareRoot())
      rstd[r] = s
      for j in 0..<n {
        let h = (data[o + j] - Float(mean)) * s
        xhat[o + j] = h
        y[o + j] = weight.map { h * $0.data[j] + bias!.data[j] } ?? h
      }
    }
    let parents = [self] + [weight, bias].compactMap { $0 }
    return .op(shape: shape, data: y, parents: parents) { out in
      let g = out.grad!
      self.accumulateGrad { dx in
        var dh = [Float](repeating: 0, count: n)
        for r in 0..<rows {
          let o = r * n
          var m1: Float = 0
          var m2: Float = 0
          for j in 0..<n {
            let d = g[o + j] * (weight?.data[j] ?? 1)
            dh[j] = d
            m1 += d
            m2 += d * xhat[o + j]
          }
          m1 /= Float(n)
          m2 /= Float(n)
          for j in 0..<n { dx[o + j] += rstd[r] * (dh[j] - m1 - xhat[o + j] * m2) }
        }
      }
      weight?.accumulateGrad { dw in
        for i in 0..<g.count { dw[i % n] += g[i] * xhat[i] }
      }
      bias?.accumulateGrad { db in
        for i in 0..<g.count { db[i % n] += g[i] }
      }
    }
  }
}
