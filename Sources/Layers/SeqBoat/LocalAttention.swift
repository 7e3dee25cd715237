import Tensor

#if canImport(Glibc)
  import Glibc
#endif

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

/// Shape of one SeqBoat attention call (MODEL.md §4.6): windows of `window` slots (`chunk_size >
/// 0`) or, in the global mode (`chunk_size < 0`), every slot of the sequence; causal or
/// bidirectional.
public struct LocalAttentionSpec: Sendable {
  /// Window size W; nil in the global mode (one window holding every slot).
  public var window: Int?
  /// Causal (`0 ≤ i − j ≤ W`) or bidirectional (`|i − j| ≤ W`).
  public var causal: Bool
  /// Softmax, relu2 or laplace.
  public var function: AttentionFunction

  /// A spec for windows of `window` slots (nil: global).
  public init(window: Int?, causal: Bool, function: AttentionFunction) {
    self.window = window
    self.causal = causal
    self.function = function
  }

  /// The constant query `i` (slot index) is multiplied by, for query/key dimension `z`, in a
  /// sequence with `validKeys` valid slots: `Z^{-1/2}` (softmax); for relu2 and laplace `1/W`
  /// (causal) or `1/(2W)` with a window, and without one `1/(i + 1)` (causal: the row sum of the
  /// causal mask) or `1/validKeys` (at least 1).
  public func queryScale(z: Int, slot i: Int, validKeys: Int) -> Float {
    switch function {
    case .softmax: return 1 / Float(z).squareRoot()
    case .relu2, .laplace:
      if let window { return causal ? 1 / Float(window) : 1 / Float(2 * window) }
      return causal ? 1 / Float(i + 1) : 1 / Float(max(validKeys, 1))
    }
  }

  /// The weight a masked key gets. The reference's windowed path sets masked scores to 0 before
  /// the attention function, so laplace gives them `laplace(0)` (relu2 gives 0, softmax masks
  /// with −5·10⁴); its global path multiplies by the masks, giving 0.
  public var maskedWeight: Float {
    guard function == .laplace, window != nil else { return 0 }
    return Activation.laplaceWithSlope(0).value
  }
}

extension Tensor {
  /// SeqBoat's attention over the slots of `plan` (MODEL.md §4.6): `q`, `k` `[B, n, Z]`,
  /// `v` `[B, n, H]` → `[B, n, H]`. Only valid slots are keys; outputs of invalid slots are zero
  /// (they are never extracted). One fused op: per block of W queries (one block of every slot in
  /// the global mode), the scores against the keys of the neighbouring blocks are one GEMM, scaled,
  /// masked, biased and activated in place. Windowed laplace follows the reference exactly: every
  /// masked key of the three (causal: two) blocks gets `laplace(0)`, including the reference's
  /// out-of-range blocks, whose values are −1 (a constant, outside `dropout`). `dropout` is the
  /// attention-weight dropout mask over an `[B, L, L]` grid of (sequence, query slot, key slot).
  public static func seqBoatLocalAttention(
    q: Tensor, k: Tensor, v: Tensor, plan: SlotPlan, spec: LocalAttentionSpec,
    bias: LocalAttentionBias, dropout: DropoutDraw? = nil
  ) -> Tensor {
    let (bsz, n, z) = (q.shape[0], q.shape[1], q.lastDim)
    let h = v.lastDim
    precondition(k.shape == q.shape && v.shape == [bsz, n, h], "local attention shapes")
    precondition(plan.batch == bsz && plan.slots == n, "local attention plan")
    let w = spec.window ?? n
    let blocks = (n + w - 1) / w
    var validKeys = [Int](repeating: 0, count: bsz)
    for slot in 0..<(bsz * n) where plan.valid[slot] { validKeys[slot / n] += 1 }
    let rowScale = (0..<(bsz * n)).map { slot in
      spec.queryScale(z: z, slot: slot % n, validKeys: validKeys[slot / n])
    }
    let masked = spec.maskedWeight
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
    /// `dst = src ⊙ mask` over block `r`'s scores of sequence b. The mask is indexed by
    /// (sequence, query slot, key slot) on an L×L grid, so it follows the slots and not the block
    /// layout, which depends on the local batch's slot count.
    func drop(
      _ d: DropoutDraw, _ b: Int, _ r: (q0: Int, q1: Int, k0: Int, k1: Int),
      from src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>
    ) {
      let kn = r.k1 - r.k0
      for ii in 0..<(r.q1 - r.q0) {
        let g = (b * plan.length + r.q0 + ii) * plan.length + r.k0
        for jj in 0..<kn { dst[ii * kn + jj] = src[ii * kn + jj] * d.scale(g + jj) }
      }
    }
    var probs = [Float](repeating: 0, count: offsets[bsz * blocks])
    var dropped = [Float](repeating: 0, count: dropout != nil ? probs.count : 0)
    var slopes = [Float](repeating: 0, count: spec.function == .laplace ? probs.count : 0)
    var out = [Float](repeating: 0, count: bsz * n * h)
    slopes.withUnsafeMutableBufferPointer { sl in
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
                        transA: false, transB: true, m: qn, n: kn, k: z,
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
                        for jj in lo..<hi { row[jj] *= rowScale[b * n + i] }
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
                        case .laplace:
                          let slope = sl.baseAddress! + offsets[b * blocks + blk] + ii * kn
                          for jj in 0..<kn {
                            if row[jj] == -.infinity {
                              (row[jj], slope[jj]) = (masked, 0)
                            } else {
                              (row[jj], slope[jj]) = Activation.laplaceWithSlope(row[jj])
                            }
                          }
                        }
                      }
                      var weights = s
                      if let dropout {
                        let d = dropBuffer.baseAddress! + offsets[b * blocks + blk]
                        drop(dropout, b, r, from: s, to: d)
                        weights = d
                      }
                      sgemm(
                        transA: false, transB: false, m: qn, n: h, k: kn, a: weights, lda: kn,
                        b: vp.baseAddress! + (b * n + r.k0) * h, ldb: h,
                        c: op.baseAddress! + (b * n + r.q0) * h, ldc: h)
                      // The reference's missing neighbour blocks: W keys of value −1 each.
                      let missing = (blk == 0 ? 1 : 0) + (!spec.causal && blk == blocks - 1 ? 1 : 0)
                      let shift = masked * Float(missing * w)
                      guard shift != 0 else { continue }
                      for i in r.q0..<r.q1 where plan.valid[b * n + i] {
                        for c in 0..<h { op[(b * n + i) * h + c] -= shift }
                      }
                    }
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
              slopes.withUnsafeBufferPointer { sl in
                g.withUnsafeBufferPointer { gp in
                  ds.withUnsafeMutableBufferPointer { dsp in
                    let s = a.baseAddress! + offsets[b * blocks + blk]
                    let gq = gp.baseAddress! + (b * n + r.q0) * h
                    // dA = dO · Vᵀ ; dV += Aᵀ · dO.
                    v.data.withUnsafeBufferPointer { vp in
                      sgemm(
                        transA: false, transB: true, m: qn, n: kn, k: h, a: gq, lda: h,
                        b: vp.baseAddress! + (b * n + r.k0) * h, ldb: h, c: dsp.baseAddress!,
                        ldc: kn)
                    }
                    if let dropout {
                      drop(dropout, b, r, from: dsp.baseAddress!, to: dsp.baseAddress!)
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
                      case .laplace:
                        let slope = sl.baseAddress! + offsets[b * blocks + blk] + ii * kn
                        for jj in 0..<kn { drow[jj] *= slope[jj] }
                      }
                      if tableCount > 0, plan.valid[b * n + i] {
                        let (lo, hi) = window(i, r.k0, kn)
                        dTable.withUnsafeMutableBufferPointer { dt in
                          if case .slotDistance = bias {
                            // Masked keys have zero slope, hence zero gradient: no test needed.
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
                      for jj in 0..<kn { drow[jj] *= rowScale[b * n + i] }
                    }
                    // dQ += (s ⊙ dS) · K ; dK += (s ⊙ dS)ᵀ · Q, s the query scales.
                    k.data.withUnsafeBufferPointer { kp in
                      dq.withUnsafeMutableBufferPointer { dqp in
                        sgemm(
                          transA: false, transB: false, m: qn, n: z, k: kn,
                          a: dsp.baseAddress!, lda: kn, b: kp.baseAddress! + (b * n + r.k0) * z,
                          ldb: z, beta: 1, c: dqp.baseAddress! + (b * n + r.q0) * z, ldc: z)
                      }
                    }
                    q.data.withUnsafeBufferPointer { qp in
                      dk.withUnsafeMutableBufferPointer { dkp in
                        sgemm(
                          transA: true, transB: false, m: kn, n: z, k: qn,
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
      }
      dq.withUnsafeBufferPointer { q.accumulateGrad($0) }
      dk.withUnsafeBufferPointer { k.accumulateGrad($0) }
      dv.withUnsafeBufferPointer { v.accumulateGrad($0) }
      dTable.withUnsafeBufferPointer { p in table?.accumulateGrad(p) }
    }
  }
}
