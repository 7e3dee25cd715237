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
            let (mean, v) = RowKernels.meanAndVariance(xr, n)
            let s = Float(1 / (v + Double(eps)).squareRoot())
            rstd[r] = s
            let m = Float(mean)
            for j in 0..<n { hr[j] = (xr[j] - m) * s }
            if w.isEmpty {
              yr.update(from: hr, count: n)
            } else {
              w.withUnsafeBufferPointer { wp in
                b.withUnsafeBufferPointer { bp in for j in 0..<n { yr[j] = hr[j] * wp[j] + bp[j] } }
              }
            }
          }
        }
      }
    }
    let parents = [self] + [weight, bias].compactMap { $0 }
    return .op(shape: shape, data: y, parents: parents) { out in
      let g = out.grad!
      self.accumulateGrad { dx in
        let scale = w.isEmpty ? [Float](repeating: 1, count: n) : w
        let dh = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer { dh.deallocate() }
        scale.withUnsafeBufferPointer { sp in
          g.withUnsafeBufferPointer { gp in
            xhat.withUnsafeBufferPointer { hp in
              for r in 0..<rows {
                let (gr, hr, dr) = (
                  gp.baseAddress! + r * n, hp.baseAddress! + r * n, dx.baseAddress! + r * n
                )
                for j in 0..<n { dh[j] = gr[j] * sp[j] }
                let m1 = RowKernels.sum(dh, n) / Float(n)
                let m2 = RowKernels.dot(dh, hr, n) / Float(n)
                let s = rstd[r]
                for j in 0..<n { dr[j] += s * (dh[j] - m1 - hr[j] * m2) }
              }
            }
          }
        }
      }
      g.withUnsafeBufferPointer { gp in
        weight?.accumulateGrad { dw in
          xhat.withUnsafeBufferPointer { hp in
            RowKernels.addColumnDots(
              gp.baseAddress!, hp.baseAddress!, rows: rows, width: n, into: dw.baseAddress!)
          }
        }
        bias?.accumulateGrad { db in
          RowKernels.addColumnSums(gp.baseAddress!, rows: rows, width: n, into: db.baseAddress!)
        }
      }
    }
  }
}
