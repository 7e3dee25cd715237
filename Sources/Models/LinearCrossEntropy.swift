import Tensor

#if canImport(Glibc)
  import Glibc
#endif

extension Tensor {
  /// Summed cross-entropy of `targets` under the logits `self · [W_0; W_1; …]ᵀ` (`self` `[N, D]`,
  /// each `W_k` `[V_k, D]`, classes numbered across the blocks in order), as one op: the logits are
  /// written by one sgemm per block into a single `[N, ΣV_k]` buffer, turned into probabilities in
  /// place and kept as the only saved value; the backward turns them into the logits' gradient in
  /// place and multiplies it back. Rows whose target is `ignoreIndex` contribute nothing. This is
  /// the adaptive softmax's head and tails (MODEL.md §5.7) without the copies of concatenating
  /// logits, a separate softmax and a full-size gradient buffer. Like `crossEntropySum`, a float32
  /// island in a half model (fairseq's criterion sums the NLL in float32).
  public func linearCrossEntropySum(_ weights: [Tensor], targets: [Int], ignoreIndex: Int) -> Tensor
  {
    let d = lastDim
    let rows = count / max(d, 1)
    precondition(targets.count == rows, "cross-entropy: \(targets.count) targets for \(rows) rows")
    precondition(weights.allSatisfy { $0.rank == 2 && $0.shape[1] == d }, "cross-entropy weights")
    let widths = weights.map { $0.shape[0] }
    let offsets = widths.indices.map { widths[..<$0].reduce(0, +) }
    let v = widths.reduce(0, +)
    let parallelism = Parallelism.current
    var probs = data.withUnsafeBufferPointer { x in
      Tensor.uninitializedArray(rows * v) { p in
        for (w, (width, offset)) in zip(weights, zip(widths, offsets)) {
          w.data.withUnsafeBufferPointer { wp in
            sgemm(
              parallelism, transA: false, transB: true, m: rows, n: width, k: d,
              a: x.baseAddress!, lda: d,
              b: wp.baseAddress!, ldb: d, c: p + offset, ldc: v)
          }
        }
      }
    }
    // Rows on the threads, each row's loss kept apart and summed in row order afterwards.
    var rowLoss = [Double](repeating: 0, count: rows)
    probs.withUnsafeMutableBufferPointer { pp in
      rowLoss.withUnsafeMutableBufferPointer { lp in
        parallelism.forEachSplit(rows) { range, _ in
          for r in range where targets[r] != ignoreIndex {
            let t = targets[r]
            precondition(t >= 0 && t < v, "target \(t) outside 0..<\(v)")
            let row = pp.baseAddress! + r * v
            let m = RowKernels.max(row, v)
            let logit = row[t]
            let s = RowKernels.expSum(row, v, shift: m)
            lp[r] = Double(m - logit) + log(Double(s))
            let inverse = 1 / s
            for j in 0..<v { row[j] *= inverse }
          }
        }
      }
    }
    let loss = rowLoss.reduce(0, +)
    return .op(
      shape: [], data: [Float(loss)], parents: [self] + weights, halfOutput: .float32
    ) { out in
      let g = out.grad![0]
      probs.withUnsafeMutableBufferPointer { pp in
        parallelism.forEachSplit(rows) { range, _ in
          for r in range {
            let row = pp.baseAddress! + r * v
            if targets[r] == ignoreIndex {
              row.update(repeating: 0, count: v)
            } else {
              for j in 0..<v { row[j] *= g }
              row[targets[r]] -= g
            }
          }
        }
        let dLogits = UnsafePointer(pp.baseAddress!)
        self.accumulateGrad { dx in
          for (w, (width, offset)) in zip(weights, zip(widths, offsets)) {
            w.data.withUnsafeBufferPointer { wp in
              sgemm(
                parallelism, transA: false, transB: false, m: rows, n: d, k: width,
                a: dLogits + offset,
                lda: v, b: wp.baseAddress!, ldb: d, beta: 1, c: dx.baseAddress!, ldc: d)
            }
          }
        }
        self.data.withUnsafeBufferPointer { x in
          for (w, (width, offset)) in zip(weights, zip(widths, offsets)) {
            w.accumulateGrad { dw in
              sgemm(
                parallelism, transA: true, transB: false, m: width, n: d, k: rows,
                a: dLogits + offset, lda: v,
                b: x.baseAddress!, ldb: d, beta: 1, c: dw.baseAddress!, ldc: d)
            }
          }
        }
      }
    }
  }
}
