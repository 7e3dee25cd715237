import Tensor

#if canImport(Glibc)
  import Glibc
#endif

/// The attention function of SeqBoat's local attention (MODEL.md §4.6).
public enum LocalAttentionFunction: String, Sendable {
  /// Softmax over the allowed keys, queries scaled by `Z^{-1/2}`.
  case softmax
  /// `relu(s)²` on the allowed keys, queries scaled by `1/(2W)` (bidirectional) or `1/W` (causal).
  case relu2
}

/// The relative-position bias of SeqBoat's local attention (MODEL.md §4.6).
public enum LocalAttentionBias {
  /// No bias (RoPE on q and k instead, or no positions).
  case none
  /// `--local-pos`: `w[4W − 1 + (j − i)]` by slot distance; the table has `6W − 1` entries.
  case slotDistance(Tensor)
  /// Full table by original positions: `w[clamp(M − 1 + pos_j − pos_i, 0, 2M − 2)]`, `2M − 1` entries.
  case originalPositions(Tensor)

  var table: Tensor? {
    switch self {
    case .none: return nil
    case .slotDistance(let w), .originalPositions(let w): return w
    }
  }
}

/// Shape of one local-attention call: windows of `window` slots, causal or bidirectional.
public struct LocalAttentionSpec: Sendable {
  /// Window size W.
  public var window: Int
  /// Causal (`0 ≤ i − j ≤ W`) or bidirectional (`|i − j| ≤ W`).
  public var causal: Bool
  /// Softmax or relu2.
  public var function: LocalAttentionFunction

  /// A spec for windows of `window` slots.
  public init(window: Int, causal: Bool, function: LocalAttentionFunction) {
    self.window = window
    self.causal = causal
    self.function = function
  }

  /// The constant the queries are multiplied by, for query/key dimension `z`.
  public func queryScale(z: Int) -> Float {
    switch function {
    case .softmax: return 1 / Float(z).squareRoot()
    case .relu2: return causal ? 1 / Float(window) : 1 / Float(2 * window)
    }
  }
}

extension Tensor {
  /// SeqBoat's windowed attention over the slots of `plan` (MODEL.md §4.6): `q`, `k` `[B, n, Z]`,
  /// `v` `[B, n, H]` → `[B, n, H]`. Only valid slots are keys; outputs of invalid slots are zero
  /// (they are never extracted). One fused op: per block of W queries, the scores against the keys
  /// of the neighbouring blocks are one GEMM, masked, biased and activated in place. `dropout` is
  /// the attention-weight dropout mask, indexed by position in the concatenated score blocks.
  public static func seqBoatLocalAttention(
    q: Tensor, k: Tensor, v: Tensor, plan: SlotPlan, spec: LocalAttentionSpec,
    bias: LocalAttentionBias, dropout: DropoutDraw? = nil
  ) -> Tensor {
    let (bsz, n, z) = (q.shape[0], q.shape[1], q.lastDim)
    let h = v.lastDim
    precondition(k.shape == q.shape && v.shape == [bsz, n, h], "local attention shapes")
    precondition(plan.batch == bsz && plan.slots == n, "local attention plan")
    let w = spec.window
    let scale = spec.queryScale(z: z)
    let blocks = (n + w - 1) / w
    // Geometry of block (b, blk): queries [q0, q1), keys [k0, k1), scores at offset.
    var offsets = [Int](repeating: 0, count: bsz * blocks + 1)
    func range(_ blk: Int) -> (q0: Int, q1: Int, k0: Int, k1: Int) {
      let q0 = blk * w
      let q1 = min(n, q0 + w)
      return (q0, q1, max(0, q0 - w), min(n, spec.causal ? q1 : q1 + w))
    }
    for b in 0..<bsz {
      for blk in 0..<blocks {
        let r = range(blk)
        offsets[b * blocks + blk + 1] = offsets[b * blocks + blk] + (r.q1 - r.q0) * (r.k1 - r.k0)
      }
    }
    let table = bias.table
    let tableCount = table?.count ?? 0
    let tableValues = table?.data ?? []
    let mid: Int = {
      switch bias {
      case .none: return 0
      case .slotDistance: return 4 * w - 1
      case .originalPositions: return (tableCount + 1) / 2 - 1
      }
    }()
    /// Index into the bias table for slots (i, j) of sequence b, or -1 for no bias.
    func biasIndex(_ b: Int, _ i: Int, _ j: Int) -> Int {
      switch bias {
      case .none: return -1
      case .slotDistance: return mid + j - i
      case .originalPositions:
        let pi = plan.position[b * n + i]
        let pj = plan.position[b * n + j]
        if pi == 0 || pj == 0 { return -1 }
        return min(max(mid + pj - pi, 0), tableCount - 1)
      }
    }
    /// Adds the bias of query i (sequence b) to the score row's columns `lo..<hi` (keys from k0);
    /// the slot-distance table is a contiguous run of the row.
    func addBias(
      _ row: UnsafeMutablePointer<Float>, _ b: Int, _ i: Int, _ k0: Int, _ lo: Int, _ hi: Int
    ) {
      tableValues.withUnsafeBufferPointer { t in
        switch bias {
        case .none: return
        case .slotDistance:
          let run = t.baseAddress! + mid - i + k0
          for jj in lo..<hi { row[jj] += run[jj] }
        case .originalPositions:
          for jj in lo..<hi {
            let bi = biasIndex(b, i, k0 + jj)
            if bi >= 0 { row[jj] += t[bi] }
          }
        }
      }
    }
    /// The columns `lo..<hi` of a score row (query i, keys from k0, kn of them) within the window:
    /// keys j with |i − j| ≤ w (and j ≤ i when causal); the others are masked.
    func window(_ i: Int, _ k0: Int, _ kn: Int) -> (lo: Int, hi: Int) {
      let lo = min(max(i - w - k0, 0), kn)
      return (lo, max(lo, min((spec.causal ? i + 1 : i + w + 1) - k0, kn)))
    }
    var probs = [Float](repeating: 0, count: offsets[bsz * blocks])
    var dropped = [Float](repeating: 0, count: dropout != nil ? probs.count : 0)
    var out = [Float](repeating: 0, count: bsz * n * h)
    dropped.withUnsafeMutableBufferPointer { dropBuffer in
      probs.withUnsafeMutableBufferPointer { a in
        q.data.withUnsafeBufferPointer { qp in
          k.data.withUnsafeBufferPointer { kp in
            v.data.withUnsafeBufferPointer { vp in
              out.withUnsafeMutableBufferPointer { op in
                for b in 0..<bsz {
                  for blk in 0..<blocks {
                    let r = range(blk)
                    let (qn, kn) = (r.q1 - r.q0, r.k1 - r.k0)
                    let s = a.baseAddress! + offsets[b * blocks + blk]
                    sgemm(
                      transA: false, transB: true, m: qn, n: kn, k: z, alpha: scale,
                      a: qp.baseAddress! + (b * n + r.q0) * z, lda: z,
                      b: kp.baseAddress! + (b * n + r.k0) * z, ldb: z, c: s, ldc: kn)
                    for ii in 0..<qn {
                      let i = r.q0 + ii
                      let row = s + ii * kn
                      guard plan.valid[b * n + i] else {
                        for jj in 0..<kn { row[jj] = 0 }
                        continue
                      }
                      let (lo, hi) = window(i, r.k0, kn)
                      for jj in 0..<lo { row[jj] = -.infinity }
                      for jj in hi..<kn { row[jj] = -.infinity }
                      addBias(row, b, i, r.k0, lo, hi)
                      for jj in lo..<hi where !plan.valid[b * n + r.k0 + jj] {
                        row[jj] = -.infinity
                      }
                      let m = RowKernels.max(row, kn)
                      switch spec.function {
                      case .softmax:
                        var sum: Float = 0
                        for jj in 0..<kn {
                          let e = fastExp(row[jj] - m)
                          row[jj] = e
                          sum += e
                        }
                        for jj in 0..<kn { row[jj] /= sum }
                      case .relu2:
                        for jj in 0..<kn {
                          let x = row[jj] == -.infinity ? 0 : max(row[jj], 0)
                          row[jj] = x * x
                        }
                      }
                    }
                    var weights = s
                    if let dropout {
                      let o = offsets[b * blocks + blk]
                      let d = dropBuffer.baseAddress! + o
                      for x in 0..<(qn * kn) { d[x] = s[x] * dropout.scale(o + x) }
                      weights = d
                    }
                    sgemm(
                      transA: false, transB: false, m: qn, n: h, k: kn, a: weights, lda: kn,
                      b: vp.baseAddress! + (b * n + r.k0) * h, ldb: h,
                      c: op.baseAddress! + (b * n + r.q0) * h, ldc: h)
                  }
                }
              }
            }
          }
        }
      }
    }
    let parents = [q, k, v] + (table.map { [$0] } ?? [])
    return .op(shape: [bsz, n, h], data: out, parents: parents) { result in
      let g = result.grad!
      var dq = [Float](repeating: 0, count: q.count)
      var dk = [Float](repeating: 0, count: k.count)
      var dv = [Float](repeating: 0, count: v.count)
      var dTable = [Float](repeating: 0, count: tableCount)
      var ds = [Float](repeating: 0, count: 3 * w * w)
      for b in 0..<bsz {
        for blk in 0..<blocks {
          let r = range(blk)
          let (qn, kn) = (r.q1 - r.q0, r.k1 - r.k0)
          (dropout != nil ? dropped : probs).withUnsafeBufferPointer { weights in
            probs.withUnsafeBufferPointer { a in
              g.withUnsafeBufferPointer { gp in
                ds.withUnsafeMutableBufferPointer { dsp in
                  let s = a.baseAddress! + offsets[b * blocks + blk]
                  let gq = gp.baseAddress! + (b * n + r.q0) * h
                  // dA = dO · Vᵀ ; dV += Aᵀ · dO.
                  v.data.withUnsafeBufferPointer { vp in
                    sgemm(
                      transA: false, transB: true, m: qn, n: kn, k: h, a: gq, lda: h,
                      b: vp.baseAddress! + (b * n + r.k0) * h, ldb: h, c: dsp.baseAddress!, ldc: kn)
                  }
                  if let dropout {
                    let o = offsets[b * blocks + blk]
                    for x in 0..<(qn * kn) { dsp[x] *= dropout.scale(o + x) }
                  }
                  dv.withUnsafeMutableBufferPointer { dvp in
                    sgemm(
                      transA: true, transB: false, m: kn, n: h, k: qn,
                      a: weights.baseAddress! + offsets[b * blocks + blk], lda: kn, b: gq, ldb: h,
                      beta: 1, c: dvp.baseAddress! + (b * n + r.k0) * h, ldc: h)
                  }
                  for ii in 0..<qn {
                    let i = r.q0 + ii
                    let row = s + ii * kn
                    let drow = dsp.baseAddress! + ii * kn
                    switch spec.function {
                    case .softmax:
                      var dot: Float = 0
                      for jj in 0..<kn { dot += row[jj] * drow[jj] }
                      for jj in 0..<kn { drow[jj] = row[jj] * (drow[jj] - dot) }
                    case .relu2:
                      for jj in 0..<kn { drow[jj] *= 2 * row[jj].squareRoot() }
                    }
                    guard tableCount > 0, plan.valid[b * n + i] else { continue }
                    let (lo, hi) = window(i, r.k0, kn)
                    dTable.withUnsafeMutableBufferPointer { dt in
                      if case .slotDistance = bias {
                        // Masked keys have zero weight, hence zero gradient: no test needed.
                        let run = dt.baseAddress! + mid - i + r.k0
                        for jj in lo..<hi { run[jj] += drow[jj] }
                        return
                      }
                      for jj in lo..<hi where drow[jj] != 0 {
                        let bi = biasIndex(b, i, r.k0 + jj)
                        if bi >= 0 { dt[bi] += drow[jj] }
                      }
                    }
                  }
                  // dQ += scale · dS · K ; dK += scale · dSᵀ · Q.
                  k.data.withUnsafeBufferPointer { kp in
                    dq.withUnsafeMutableBufferPointer { dqp in
                      sgemm(
                        transA: false, transB: false, m: qn, n: z, k: kn, alpha: scale,
                        a: dsp.baseAddress!, lda: kn, b: kp.baseAddress! + (b * n + r.k0) * z,
                        ldb: z, beta: 1, c: dqp.baseAddress! + (b * n + r.q0) * z, ldc: z)
                    }
                  }
                  q.data.withUnsafeBufferPointer { qp in
                    dk.withUnsafeMutableBufferPointer { dkp in
                      sgemm(
                        transA: true, transB: false, m: kn, n: z, k: qn, alpha: scale,
                        a: dsp.baseAddress!, lda: kn, b: qp.baseAddress! + (b * n + r.q0) * z,
                        ldb: z, beta: 1, c: dkp.baseAddress! + (b * n + r.k0) * z, ldc: z)
                    }
                  }
                }
              }
            }
          }
        }
      }
      dq.withUnsafeBufferPointer { q.accumulateGrad($0) }
      dk.withUnsafeBufferPointer { k.accumulateGrad($0) }
      dv.withUnsafeBufferPointer { v.accumulateGrad($0) }
      dTable.withUnsafeBufferPointer { p in table?.accumulateGrad(p) }
    }
  }
}
