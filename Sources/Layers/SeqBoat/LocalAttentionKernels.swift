import Tensor

#if canImport(Glibc)
  import Glibc
#endif

extension LocalAttention {
  /// `out = dropout(P)·V` block by block (blocks on `g.parallelism`'s threads), `P` the
  /// activated scores (kept in `saved`); `q`, `k` `[B, n, Z]`, `v`, `out` `[B, n, H]`; `table`
  /// the bias table (unread without one).
  static func forward(
    _ out: UnsafeMutablePointer<Float>, _ saved: Saved, q: UnsafePointer<Float>,
    k: UnsafePointer<Float>, v: UnsafePointer<Float>, table: UnsafePointer<Float>,
    _ dropout: DropoutDraw?, _ g: Geometry
  ) {
    let (n, z, h, masked) = (g.n, g.z, g.h, g.spec.maskedWeight)
    g.parallelism.forEach(g.bsz * g.blocks) { item, _ in
      let (b, blk) = item.quotientAndRemainder(dividingBy: g.blocks)
      let (r, o) = (g.range(blk), g.offsets[item])
      let (qn, kn) = (r.q1 - r.q0, r.k1 - r.k0)
      let s = saved.probs.base + o
      sgemm(
        transA: false, transB: true, m: qn, n: kn, k: z, a: q + (b * n + r.q0) * z, lda: z,
        b: k + (b * n + r.k0) * z, ldb: z, c: s, ldc: kn)
      for ii in 0..<qn {
        scoreRow(
          s + ii * kn, slopes: saved.slopes.map { $0.base + o + ii * kn }, b: b, i: r.q0 + ii,
          k0: r.k0, kn: kn, table: table, g)
      }
      var weights = UnsafePointer(s)
      if let dropout, let dropped = saved.dropped {
        let d = dropped.base + o
        for ii in 0..<qn {
          let first = g.dropoutIndex(b, r.q0 + ii, r.k0)
          for jj in 0..<kn { d[ii * kn + jj] = s[ii * kn + jj] * dropout.scale(first + jj) }
        }
        weights = UnsafePointer(d)
      }
      sgemm(
        transA: false, transB: false, m: qn, n: h, k: kn, a: weights, lda: kn,
        b: v + (b * n + r.k0) * h, ldb: h, c: out + (b * n + r.q0) * h, ldc: h)
      // The reference's missing neighbour blocks: W keys of value −1 each.
      let missing = (blk == 0 ? 1 : 0) + (!g.spec.causal && blk == g.blocks - 1 ? 1 : 0)
      let shift = masked * Float(missing * g.w)
      guard shift != 0 else { return }
      for i in r.q0..<r.q1 where g.plan.valid[b * n + i] {
        for c in 0..<h { out[(b * n + i) * h + c] -= shift }
      }
    }
  }

  /// One score row (query slot i of sequence b, keys `k0..<k0 + kn`) from `Q·Kᵀ` to weights in
  /// place: scale, window and key masks, bias, attention function (laplace's f' in `slopes`).
  /// An invalid query's row is zero.
  static func scoreRow(
    _ row: UnsafeMutablePointer<Float>, slopes: UnsafeMutablePointer<Float>?, b: Int, i: Int,
    k0: Int, kn: Int, table: UnsafePointer<Float>, _ g: Geometry
  ) {
    let slot = b * g.n + i
    guard g.plan.valid[slot] else {
      row.update(repeating: 0, count: kn)
      return
    }
    let (lo, hi) = g.window(i, k0, kn)
    for jj in lo..<hi { row[jj] *= g.rowScale.base[slot] }
    for jj in 0..<lo { row[jj] = -.infinity }
    for jj in hi..<kn { row[jj] = -.infinity }
    addBias(row, b: b, i: i, k0: k0, lo: lo, hi: hi, table: table, g)
    for jj in lo..<hi where !g.plan.valid[b * g.n + k0 + jj] { row[jj] = -.infinity }
    let m = RowKernels.max(row, kn)
    switch g.spec.function {
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
      let masked = g.spec.maskedWeight
      for jj in 0..<kn {
        if row[jj] == -.infinity {
          (row[jj], slopes![jj]) = (masked, 0)
        } else {
          (row[jj], slopes![jj]) = Activation.laplaceWithSlope(row[jj])
        }
      }
    }
  }

  /// Adds the bias of query i (sequence b) to the score row's columns `lo..<hi` (keys from k0);
  /// the slot-distance table is a contiguous run of the row.
  private static func addBias(
    _ row: UnsafeMutablePointer<Float>, b: Int, i: Int, k0: Int, lo: Int, hi: Int,
    table: UnsafePointer<Float>, _ g: Geometry
  ) {
    switch g.bias {
    case .none: return
    case .slotDistance:
      let run = table + g.mid - i + k0
      for jj in lo..<hi { row[jj] += run[jj] }
    case .originalPositions:
      for jj in lo..<hi {
        let bi = g.biasIndex(b, i, k0 + jj)
        if bi >= 0 { row[jj] += table[bi] }
      }
    }
  }
}
