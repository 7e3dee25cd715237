import Tensor

#if canImport(Glibc)
  import Glibc
#endif

/// Mega's attention functions (MODEL.md §3.4), by reference name.
public enum AttentionFunction: String, Sendable, CaseIterable {
  case softmax, relu2, laplace
}

/// Mega's chunked attention core as one fused op (MODEL.md §3.3–3.4): per chunk of `chunk` rows,
/// scores `s_i·q_i·k_j + bias[i, j]`, key-padding and causal masks, the attention function, and
/// `P·V`. Each chunk's score matrix is built once, activated in place and kept for backward.
public enum ChunkedAttention {
  /// The output `[L, B, H]` (differentiable in `q`, `k`, `v`, `bias`) and the attention weights
  /// `[B, L/C, C, C]` (constant). `q`, `k`: `[L, B, Z]`; `v`: `[L, B, H]` (time-major, read in
  /// place through the BLAS leading dimensions); `bias`: `[C, C]`;
  /// `paddingMask`: `[B, L]`, true = padding; `chunk` divides L. `dropout`, if given, is the
  /// attention-dropout mask over the weights' elements, applied to P before `P·V`.
  public static func apply(
    q: Tensor, k: Tensor, v: Tensor, bias: Tensor?, chunk c: Int, function: AttentionFunction,
    paddingMask: [Bool]?, causal: Bool, dropout: DropoutDraw? = nil
  ) -> (output: Tensor, weights: Tensor) {
    let (len, batch, z) = (q.shape[0], q.shape[1], q.shape[2])
    let h = v.shape[2]
    precondition(len % c == 0, "attention: L = \(len) is not a multiple of the chunk \(c)")
    precondition(k.shape == q.shape && v.shape[0] == len && v.shape[1] == batch, "attention shapes")
    let chunks = len / c
    // First row of block `blk` (sequence b, chunk i) in the [L·B] row order; rows step by B.
    func row(_ blk: Int) -> Int { (blk % chunks) * c * batch + blk / chunks }
    let (ldz, ldh) = (batch * z, batch * h)
    precondition(
      bias == nil || bias!.shape == [c, c], "attention bias \(bias!.shape) for chunk \(c)")
    let blocks = batch * (len / c)
    let cc = c * c
    // Row scales s_i of every block: Z^{-1/2} (softmax), 1/λ (relu2, laplace).
    var scales = [Float](repeating: 0, count: blocks * c)
    var weights = [Float](repeating: 0, count: blocks * cc)
    var slopes = function == .laplace ? [Float](repeating: 0, count: blocks * cc) : []
    var out = [Float](repeating: 0, count: batch * len * h)
    q.data.withUnsafeBufferPointer { qp in
      k.data.withUnsafeBufferPointer { kp in
        weights.withUnsafeMutableBufferPointer { wp in
          for blk in 0..<blocks {
            sgemm(
              transA: false, transB: true, m: c, n: c, k: z, a: qp.baseAddress! + row(blk) * z,
              lda: ldz, b: kp.baseAddress! + row(blk) * z, ldb: ldz,
              c: wp.baseAddress! + blk * cc, ldc: c)
          }
        }
      }
    }
    let biasValues = bias?.data ?? [Float](repeating: 0, count: cc)
    weights.withUnsafeMutableBufferPointer { w in
      slopes.withUnsafeMutableBufferPointer { sl in
        scales.withUnsafeMutableBufferPointer { sc in
          biasValues.withUnsafeBufferPointer { bp in
            for blk in 0..<blocks {
              let rowBase = blk * c  // row index into [B·L]
              let b = rowBase / len
              let t0 = rowBase % len
              var keep = [Bool](repeating: true, count: c)
              if let paddingMask {
                for j in 0..<c { keep[j] = !paddingMask[b * len + t0 + j] }
              }
              let realKeys = keep.reduce(0) { $0 + ($1 ? 1 : 0) }
              let o = blk * cc
              for i in 0..<c {
                let s: Float
                switch function {
                case .softmax: s = 1 / Float(z).squareRoot()
                case .relu2, .laplace:
                  s = 1 / Float(causal ? i + 1 : (paddingMask == nil ? c : max(realKeys, 1)))
                }
                sc[rowBase + i] = s
                let r = o + i * c
                let (scores, biasRow) = (w.baseAddress! + r, bp.baseAddress! + i * c)
                for j in 0..<c { scores[j] = scores[j] * s + biasRow[j] }
                switch function {
                case .softmax:
                  let rowStart = w.baseAddress! + r
                  let limit = causal ? i + 1 : c
                  if paddingMask != nil, realKeys > 0 {
                    for j in 0..<limit where !keep[j] { rowStart[j] = -.infinity }
                  }
                  let m = RowKernels.max(rowStart, limit)
                  if m == -.infinity {
                    for j in 0..<c { rowStart[j] = 0 }
                    continue
                  }
                  let inverse = 1 / RowKernels.expSum(rowStart, limit, shift: m)
                  for j in 0..<limit { rowStart[j] *= inverse }
                  for j in limit..<c { rowStart[j] = 0 }
                case .relu2, .laplace:
                  let rowStart = w.baseAddress! + r
                  let slopeRow = function == .laplace ? sl.baseAddress! + r : nil
                  let limit = causal ? i + 1 : c
                  if let slopeRow {
                    for j in 0..<limit {
                      (rowStart[j], slopeRow[j]) = Activation.laplaceWithSlope(rowStart[j])
                    }
                    (slopeRow + limit).update(repeating: 0, count: c - limit)
                  } else {
                    for j in 0..<limit { rowStart[j] = Activation.relu2.apply(rowStart[j]) }
                  }
                  (rowStart + limit).update(repeating: 0, count: c - limit)
                  if paddingMask != nil {
                    for j in 0..<limit where !keep[j] {
                      rowStart[j] = 0
                      slopeRow?[j] = 0
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    /// Block `blk` of `p` with attention dropout applied (in `scratch`), for the products with V.
    func dropped(
      _ p: [Float], _ blk: Int, _ scratch: inout [Float], _ body: (UnsafePointer<Float>) -> Void
    ) {
      let o = blk * cc
      p.withUnsafeBufferPointer { pp in
        guard let dropout else { return body(pp.baseAddress! + o) }
        scratch.withUnsafeMutableBufferPointer { sp in
          sp.baseAddress!.update(from: pp.baseAddress! + o, count: cc)
          dropout.apply(to: sp.baseAddress!, first: o, count: cc)
          body(sp.baseAddress!)
        }
      }
    }
    var scratch = [Float](repeating: 0, count: dropout == nil ? 0 : cc)
    v.data.withUnsafeBufferPointer { vp in
      out.withUnsafeMutableBufferPointer { op in
        for blk in 0..<blocks {
          dropped(weights, blk, &scratch) { wp in
            sgemm(
              transA: false, transB: false, m: c, n: h, k: c, a: wp, lda: c,
              b: vp.baseAddress! + row(blk) * h, ldb: ldh, c: op.baseAddress! + row(blk) * h,
              ldc: ldh)
          }
        }
      }
    }
    let weightTensor = Tensor(shape: [batch, len / c, c, c], data: weights)
    let parents = [q, k, v] + [bias].compactMap { $0 }
    let (probabilities, slopeValues, rowScales) = (weights, slopes, scales)
    let output = Tensor.op(shape: [len, batch, h], data: out, parents: parents) { node in
      let g = node.grad!
      var ds = [Float](repeating: 0, count: cc)
      var dbias = [Float](repeating: 0, count: cc)
      var scratch = [Float](repeating: 0, count: dropout == nil ? 0 : cc)
      for blk in 0..<blocks {
        let o = blk * cc
        let (values, keys) = (row(blk) * h, row(blk) * z)
        g.withUnsafeBufferPointer { gp in
          dropped(probabilities, blk, &scratch) { up in
            v.accumulateGrad { dv in
              sgemm(
                transA: true, transB: false, m: c, n: h, k: c, a: up, lda: c,
                b: gp.baseAddress! + values, ldb: ldh, beta: 1, c: dv.baseAddress! + values,
                ldc: ldh)
            }
          }
          v.data.withUnsafeBufferPointer { vp in
            ds.withUnsafeMutableBufferPointer { dsp in
              sgemm(
                transA: false, transB: true, m: c, n: c, k: h, a: gp.baseAddress! + values,
                lda: ldh, b: vp.baseAddress! + values, ldb: ldh, c: dsp.baseAddress!, ldc: c)
            }
          }
        }
        ds.withUnsafeMutableBufferPointer {
          dropout?.apply(to: $0.baseAddress!, first: o, count: cc)
        }
        ds.withUnsafeMutableBufferPointer { dsp in
          dbias.withUnsafeMutableBufferPointer { dbp in
            probabilities.withUnsafeBufferPointer { pp in
              slopeValues.withUnsafeBufferPointer { sp in
                rowScales.withUnsafeBufferPointer { rp in
                  scoreGradient(
                    dsp.baseAddress!, dbp.baseAddress!, pp.baseAddress! + o,
                    function == .laplace ? sp.baseAddress! + o : nil, rp.baseAddress! + blk * c,
                    c, function)
                }
              }
            }
          }
        }
        ds.withUnsafeBufferPointer { dsp in
          k.data.withUnsafeBufferPointer { kp in
            q.accumulateGrad { dq in
              sgemm(
                transA: false, transB: false, m: c, n: z, k: c, a: dsp.baseAddress!, lda: c,
                b: kp.baseAddress! + keys, ldb: ldz, beta: 1, c: dq.baseAddress! + keys,
                ldc: ldz)
            }
          }
          q.data.withUnsafeBufferPointer { qp in
            k.accumulateGrad { dk in
              sgemm(
                transA: true, transB: false, m: c, n: z, k: c, a: dsp.baseAddress!, lda: c,
                b: qp.baseAddress! + keys, ldb: ldz, beta: 1, c: dk.baseAddress! + keys,
                ldc: ldz)
            }
          }
        }
      }
      dbias.withUnsafeBufferPointer { bias?.accumulateGrad($0) }
    }
    return (output, weightTensor)
  }
}

/// Turns `ds` (`[C, C]`, holding dL/dP of one chunk) into the row-scaled score gradient
/// `s_i·dL/dS` in place, adding the unscaled dL/dS to `dbias`. `p` are the chunk's weights,
/// `slopes` f'(S) on live entries (laplace only), `scales` the row scales s_i.
private func scoreGradient(
  _ ds: UnsafeMutablePointer<Float>, _ dbias: UnsafeMutablePointer<Float>,
  _ p: UnsafePointer<Float>, _ slopes: UnsafePointer<Float>?, _ scales: UnsafePointer<Float>,
  _ c: Int, _ function: AttentionFunction
) {
  for i in 0..<c {
    let (d, db, pr) = (ds + i * c, dbias + i * c, p + i * c)
    switch function {
    case .softmax:
      var dot: Float = 0
      for j in 0..<c { dot += d[j] * pr[j] }
      for j in 0..<c { d[j] = pr[j] * (d[j] - dot) }
    case .relu2:
      for j in 0..<c { d[j] *= 2 * pr[j].squareRoot() }
    case .laplace:
      let slopeRow = slopes! + i * c
      for j in 0..<c { d[j] *= slopeRow[j] }
    }
    let s = scales[i]
    for j in 0..<c {
      db[j] += d[j]
      d[j] *= s
    }
  }
}

extension AttentionFunction {
  /// The pointwise function of the element attentions (relu2, laplace).
  var activation: Activation { self == .laplace ? .laplace : .relu2 }
}
