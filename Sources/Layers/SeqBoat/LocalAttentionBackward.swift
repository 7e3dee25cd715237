import Tensor

extension LocalAttention {
  /// Adds `dL/dq`, `dL/dk` (`[B, n, Z]`), `dL/dv` (`[B, n, H]`) and the bias table's gradient
  /// given the output gradient `grad`; nil pointers are skipped. The table's gradient is summed
  /// over the call first.
  static func backward(
    _ dq: UnsafeMutablePointer<Float>?, _ dk: UnsafeMutablePointer<Float>?,
    _ dv: UnsafeMutablePointer<Float>?, _ dTable: UnsafeMutablePointer<Float>?,
    _ grad: UnsafePointer<Float>, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
    v: UnsafePointer<Float>, _ saved: Saved, _ dropout: DropoutDraw?, _ g: Geometry
  ) {
    let (n, z, h, tc) = (g.n, g.z, g.h, g.tableCount)
    let work = UnsafeMutablePointer<Float>.allocate(capacity: 3 * g.w * g.w * g.parallelism.threads)
    // One table sum per sequence, added in sequence order: a fixed order whatever the threads.
    let tableSums = UnsafeMutablePointer<Float>.allocate(capacity: g.bsz * tc)
    tableSums.initialize(repeating: 0, count: g.bsz * tc)
    defer {
      work.deallocate()
      tableSums.deallocate()
    }
    let weights = (saved.dropped ?? saved.probs).base
    // Sequences in parallel: neighbouring blocks share keys, so one sequence's blocks run in order.
    g.parallelism.forEach(g.bsz) { b, worker in
      let (ds, tableSum) = (work + 3 * g.w * g.w * worker, tableSums + b * tc)
      for blk in 0..<g.blocks {
        let (r, o) = (g.range(blk), g.offsets[b * g.blocks + blk])
        let (qn, kn) = (r.q1 - r.q0, r.k1 - r.k0)
        let gq = grad + (b * n + r.q0) * h
        // dP = dO · Vᵀ ; dV += Pᵀ · dO.
        sgemm(
          transA: false, transB: true, m: qn, n: kn, k: h, a: gq, lda: h,
          b: v + (b * n + r.k0) * h, ldb: h, c: ds, ldc: kn)
        if let dv {
          sgemm(
            transA: true, transB: false, m: kn, n: h, k: qn, a: weights + o, lda: kn, b: gq,
            ldb: h, beta: 1, c: dv + (b * n + r.k0) * h, ldc: h)
        }
        AttentionScores.backward(
          ds, p: saved.probs.base + o, slopes: saved.slopes.map { $0.base + o }, rows: qn,
          cols: kn, function: g.spec.function, dropout: dropout,
          first: g.dropoutIndex(b, r.q0, r.k0), rowStride: g.plan.length)
        if g.tableCount > 0 {
          for ii in 0..<qn {
            tableGradient(ds + ii * kn, tableSum, b: b, i: r.q0 + ii, k0: r.k0, kn: kn, g)
          }
        }
        AttentionScores.scaleRows(ds, g.rowScale.base + b * n + r.q0, rows: qn, cols: kn)
        // dQ += (s ⊙ dS) · K ; dK += (s ⊙ dS)ᵀ · Q, s the query scales.
        if let dq {
          sgemm(
            transA: false, transB: false, m: qn, n: z, k: kn, a: ds, lda: kn,
            b: k + (b * n + r.k0) * z, ldb: z, beta: 1, c: dq + (b * n + r.q0) * z, ldc: z)
        }
        if let dk {
          sgemm(
            transA: true, transB: false, m: kn, n: z, k: qn, a: ds, lda: kn,
            b: q + (b * n + r.q0) * z, ldb: z, beta: 1, c: dk + (b * n + r.k0) * z, ldc: z)
        }
      }
    }
    guard let dTable else { return }
    for x in 0..<tc {
      var total: Float = 0
      for b in 0..<g.bsz { total += tableSums[b * tc + x] }
      dTable[x] += total
    }
  }

  /// Adds the unscaled score gradient `d` of query slot i (sequence b, keys from k0) to the bias
  /// table's gradient `dt`, over the window's columns of a valid query.
  private static func tableGradient(
    _ d: UnsafePointer<Float>, _ dt: UnsafeMutablePointer<Float>, b: Int, i: Int, k0: Int,
    kn: Int, _ g: Geometry
  ) {
    guard g.plan.valid[b * g.n + i] else { return }
    let (lo, hi) = g.window(i, k0, kn)
    if case .slotDistance = g.bias {
      // Masked keys have zero slope, hence zero gradient: no test needed.
      let run = dt + g.mid - i + k0
      for jj in lo..<hi { run[jj] += d[jj] }
      return
    }
    for jj in lo..<hi where d[jj] != 0 {
      let bi = g.biasIndex(b, i, k0 + jj)
      if bi >= 0 { dt[bi] += d[jj] }
    }
  }
}
