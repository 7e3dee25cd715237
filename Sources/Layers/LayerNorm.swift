import Tensor

extension Tensor {
  /// Layer normalisation over the last dimension, one fused op: `(x − μ)/√(σ² + ε) ⊙ w + b` with the
  /// biased variance; `weight` and `bias` (`[E]`) are both given or both nil (no affine).
  public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
    let n = lastDim
    let rows = count / max(n, 1)
    var xhat = [Float](repeating: 0, count: count)
    var rstd = [Float](repeating: 0, count: rows)
    let w = weight?.data ?? []
    let b = bias?.data ?? []
    let y = data.withUnsafeBufferPointer { x in
      Tensor.uninitializedArray(count) { y in
        xhat.withUnsafeMutableBufferPointer { xh in
          for r in 0..<rows {
            let (xr, hr, yr) = (x.baseAddress! + r * n, xh.baseAddress! + r * n, y + r * n)
            var mean: Double = 0
            for j in 0..<n { mean += Double(xr[j]) }
            mean /= Double(n)
            var v: Double = 0
            for j in 0..<n {
              let d = Double(xr[j]) - mean
              v += d * d
            }
            let s = Float(1 / (v / Double(n) + Double(eps)).squareRoot())
            rstd[r] = s
            let m = Float(mean)
            for j in 0..<n { hr[j] = (xr[j] - m) * s }
            if w.isEmpty {
              yr.update(from: hr, count: n)
            } else {
              for j in 0..<n { yr[j] = hr[j] * w[j] + b[j] }
            }
          }
        }
      }
    }
    let parents = [self] + [weight, bias].compactMap { $0 }
    return .op(shape: shape, data: y, parents: parents) { out in
      let g = out.grad!
      self.accumulateGrad { dx in
        var dh = [Float](repeating: 0, count: n)
        let scale = w.isEmpty ? [Float](repeating: 1, count: n) : w
        g.withUnsafeBufferPointer { gp in
          xhat.withUnsafeBufferPointer { hp in
            for r in 0..<rows {
              let (gr, hr, dr) = (
                gp.baseAddress! + r * n, hp.baseAddress! + r * n, dx.baseAddress! + r * n
              )
              var m1: Float = 0
              var m2: Float = 0
              for j in 0..<n {
                let d = gr[j] * scale[j]
                dh[j] = d
                m1 += d
                m2 += d * hr[j]
              }
              m1 /= Float(n)
              m2 /= Float(n)
              let s = rstd[r]
              for j in 0..<n { dr[j] += s * (dh[j] - m1 - hr[j] * m2) }
            }
          }
        }
      }
      weight?.accumulateGrad { dw in
        for r in 0..<rows { for j in 0..<n { dw[j] += g[r * n + j] * xhat[r * n + j] } }
      }
      bias?.accumulateGrad { db in
        for r in 0..<rows { for j in 0..<n { db[j] += g[r * n + j] } }
      }
    }
  }
}
