extension Tensor {
  /// `x·Wᵀ + b` over the last dimension: x `[..., in]`, weight `[out, in]` (PyTorch layout), bias `[out]`.
  public func linear(_ weight: Tensor, _ bias: Tensor? = nil) -> Tensor {
    let nIn = lastDim
    precondition(weight.rank == 2 && weight.shape[1] == nIn, "linear: \(shape) × \(weight.shape)ᵀ")
    let nOut = weight.shape[0]
    let rows = count / max(nIn, 1)
    precondition(bias == nil || bias!.count == nOut, "linear: bias for \(nOut) outputs")
    // Rows start as the bias (sgemm adds to them) or are written by sgemm alone (beta 0).
    let parallelism = Parallelism.current
    let y = Tensor.uninitializedArray(rows * nOut) { yp in
      bias?.data.withUnsafeBufferPointer { b in
        let bp = b.baseAddress!
        parallelism.forEachSplit(rows, grain: 64) { range, _ in
          for r in range { (yp + r * nOut).update(from: bp, count: nOut) }
        }
      }
      data.withUnsafeBufferPointer { x in
        weight.data.withUnsafeBufferPointer { w in
          sgemm(
            parallelism, transA: false, transB: true, m: rows, n: nOut, k: nIn, a: x.baseAddress!,
            lda: nIn, b: w.baseAddress!, ldb: nIn, beta: bias == nil ? 0 : 1, c: yp, ldc: nOut)
        }
      }
    }
    let parents = bias.map { [self, weight, $0] } ?? [self, weight]
    return .op(shape: Array(shape.dropLast()) + [nOut], data: y, parents: parents) { out in
      let g = out.grad!
      g.withUnsafeBufferPointer { gp in
        self.accumulateGrad { dx in
          weight.data.withUnsafeBufferPointer { w in
            sgemm(
              parallelism, transA: false, transB: false, m: rows, n: nIn, k: nOut,
              a: gp.baseAddress!, lda: nOut, b: w.baseAddress!, ldb: nIn, beta: 1,
              c: dx.baseAddress!, ldc: nIn)
          }
        }
        weight.accumulateGrad { dw in
          self.data.withUnsafeBufferPointer { x in
            sgemm(
              parallelism, transA: true, transB: false, m: nOut, n: nIn, k: rows,
              a: gp.baseAddress!, lda: nOut, b: x.baseAddress!, ldb: nIn, beta: 1,
              c: dw.baseAddress!, ldc: nIn)
          }
        }
        bias?.accumulateGrad { db in
          RowKernels.addColumnSums(
            gp.baseAddress!, rows: rows, width: nOut, into: db.baseAddress!, parallelism)
        }
      }
    }
  }

  /// Batched matrix product over the last two dimensions: `[..., m, k] · [..., k, n]`, either
  /// operand optionally transposed in its last two dimensions. Leading dimensions must be equal.
  public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false)
    -> Tensor
  {
    precondition(rank >= 2 && other.rank == rank, "matmul: \(shape) · \(other.shape)")
    precondition(Array(shape.dropLast(2)) == Array(other.shape.dropLast(2)), "matmul batch dims")
    let (r0, c0) = (shape[rank - 2], shape[rank - 1])
    let (r1, c1) = (other.shape[rank - 2], other.shape[rank - 1])
    let (m, k) = transposeSelf ? (c0, r0) : (r0, c0)
    let (k2, n) = transposeOther ? (c1, r1) : (r1, c1)
    precondition(k == k2, "matmul: inner dimensions \(shape) · \(other.shape)")
    let batch = count / max(r0 * c0, 1)
    var y = [Float](repeating: 0, count: batch * m * n)
    let (sa, sb, sc) = (r0 * c0, r1 * c1, m * n)
    data.withUnsafeBufferPointer { a in
      other.data.withUnsafeBufferPointer { b in
        y.withUnsafeMutableBufferPointer { c in
          Parallelism.current.forEach(batch) { i, _ in
            sgemm(
              transA: transposeSelf, transB: transposeOther, m: m, n: n, k: k,
              a: a.baseAddress! + i * sa, lda: c0, b: b.baseAddress! + i * sb, ldb: c1,
              c: c.baseAddress! + i * sc, ldc: n)
          }
        }
      }
    }
    return .op(shape: Array(shape.dropLast(2)) + [m, n], data: y, parents: [self, other]) { out in
      out.grad!.withUnsafeBufferPointer { g in
        // dA = g·op(B)ᵀ (as m×k), stored transposed when A was used transposed.
        self.accumulateGrad { da in
          other.data.withUnsafeBufferPointer { b in
            Parallelism.current.forEach(batch) { i, _ in
              let gi = g.baseAddress! + i * sc
              let bi = b.baseAddress! + i * sb
              let di = da.baseAddress! + i * sa
              if transposeSelf {
                sgemm(
                  transA: transposeOther, transB: true, m: k, n: m, k: n, a: bi, lda: c1, b: gi,
                  ldb: n, beta: 1, c: di, ldc: c0)
              } else {
                sgemm(
                  transA: false, transB: !transposeOther, m: m, n: k, k: n, a: gi, lda: n, b: bi,
                  ldb: c1, beta: 1, c: di, ldc: c0)
              }
            }
          }
        }
        other.accumulateGrad { db in
          self.data.withUnsafeBufferPointer { a in
            Parallelism.current.forEach(batch) { i, _ in
              let gi = g.baseAddress! + i * sc
              let ai = a.baseAddress! + i * sa
              let di = db.baseAddress! + i * sb
              if transposeOther {
                sgemm(
                  transA: true, transB: transposeSelf, m: n, n: k, k: m, a: gi, lda: n, b: ai,
                  ldb: c0, beta: 1, c: di, ldc: c1)
              } else {
                sgemm(
                  transA: !transposeSelf, transB: false, m: k, n: n, k: m, a: ai, lda: c0, b: gi,
                  ldb: n, beta: 1, c: di, ldc: c1)
              }
            }
          }
        }
      }
    }
  }
}
