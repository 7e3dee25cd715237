import Tensor

extension ChunkedAttention {
  /// `out = dropout(P) · V` with `P = f(s ⊙ Q·Kᵀ + bias)` (`p`, `[blocks, C, C]`) chunk by
  /// chunk, keeping the slopes and row scales in `saved`. `q`, `k` `[L·B, Z]`, `v`, `out`
  /// `[L·B, H]` time-major; `bias` `[C, C]`; `padding` `[B, L]` (empty when unpadded).
  static func forward(
    _ out: UnsafeMutablePointer<Float>, _ p: UnsafeMutablePointer<Float>, _ saved: Saved,
    q: UnsafePointer<Float>,
    k: UnsafePointer<Float>, v: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    padding: UnsafeBufferPointer<Bool>, _ dropout: DropoutDraw?, _ s: Shape
  ) {
    let (c, cc, ldz, ldh) = (s.c, s.c * s.c, s.batch * s.z, s.batch * s.h)
    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: cc * s.parallelism.threads)
    defer { scratch.deallocate() }
    s.parallelism.forEach(s.blocks) { blk, worker in
      let (r, w, scratch) = (s.row(blk), p + blk * cc, scratch + worker * cc)
      sgemm(
        transA: false, transB: true, m: c, n: c, k: s.z, a: q + r * s.z, lda: ldz,
        b: k + r * s.z, ldb: ldz, c: w, ldc: c)
      let keys = s.padded ? padding.baseAddress! + blk * c : nil
      activate(
        w, slopes: saved.slopes.map { $0.baseAddress! + blk * cc },
        scales: saved.scales.baseAddress! + blk * c, bias: bias, padding: keys, s)
      let pd = dropped(w, dropout, first: blk * cc, count: cc, scratch: scratch)
      sgemm(
        transA: false, transB: false, m: c, n: s.h, k: c, a: pd, lda: c, b: v + r * s.h,
        ldb: ldh, c: out + r * s.h, ldc: ldh)
    }
  }

  /// Adds `dL/dq`, `dL/dk`, `dL/dv` (`[L·B, ·]`) and `dL/dbias` (`[C, C]`) given the output
  /// gradient `g` and the forward's weights; nil pointers are skipped. The bias gradient is
  /// summed over the blocks first.
  static func backward(
    _ dq: UnsafeMutablePointer<Float>?, _ dk: UnsafeMutablePointer<Float>?,
    _ dv: UnsafeMutablePointer<Float>?, _ dbias: UnsafeMutablePointer<Float>?,
    _ g: UnsafePointer<Float>, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
    v: UnsafePointer<Float>, p weights: UnsafePointer<Float>, _ saved: Saved,
    _ dropout: DropoutDraw?, _ s: Shape
  ) {
    let (c, cc, ldz, ldh) = (s.c, s.c * s.c, s.batch * s.z, s.batch * s.h)
    // Each group of blocks sums its bias gradient in block order; the groups' sums are added in
    // group order: a fixed order whatever the thread count.
    let groups = min(s.blocks, 16)
    let work = UnsafeMutablePointer<Float>.allocate(capacity: 2 * cc * s.parallelism.threads)
    let biasSums = UnsafeMutablePointer<Float>.allocate(capacity: groups * cc)
    biasSums.initialize(repeating: 0, count: groups * cc)
    defer {
      work.deallocate()
      biasSums.deallocate()
    }
    s.parallelism.forEach(groups) { group, worker in
      let (ds, scratch, biasSum) = (
        work + 2 * cc * worker, work + (2 * worker + 1) * cc, biasSums + group * cc
      )
      for blk in (s.blocks * group / groups)..<(s.blocks * (group + 1) / groups) {
        let (o, r) = (blk * cc, s.row(blk))
        let p = weights + o
        if let dv {
          sgemm(
            transA: true, transB: false, m: c, n: s.h, k: c,
            a: dropped(p, dropout, first: o, count: cc, scratch: scratch), lda: c, b: g + r * s.h,
            ldb: ldh, beta: 1, c: dv + r * s.h, ldc: ldh)
        }
        sgemm(
          transA: false, transB: true, m: c, n: c, k: s.h, a: g + r * s.h, lda: ldh,
          b: v + r * s.h, ldb: ldh, c: ds, ldc: c)
        AttentionScores.backward(
          ds, p: p, slopes: saved.slopes.map { $0.baseAddress! + o }, rows: c, cols: c,
          function: s.function, dropout: dropout, first: o, rowStride: c)
        for x in 0..<cc { biasSum[x] += ds[x] }
        AttentionScores.scaleRows(ds, saved.scales.baseAddress! + blk * c, rows: c, cols: c)
        if let dq {
          sgemm(
            transA: false, transB: false, m: c, n: s.z, k: c, a: ds, lda: c, b: k + r * s.z,
            ldb: ldz, beta: 1, c: dq + r * s.z, ldc: ldz)
        }
        if let dk {
          sgemm(
            transA: true, transB: false, m: c, n: s.z, k: c, a: ds, lda: c, b: q + r * s.z,
            ldb: ldz, beta: 1, c: dk + r * s.z, ldc: ldz)
        }
      }
    }
    guard let dbias else { return }
    for x in 0..<cc {
      var total: Float = 0
      for group in 0..<groups { total += biasSums[group * cc + x] }
      dbias[x] += total
    }
  }

  /// `p` (`count` weights, elements `first…` of the dropout mask) with dropout applied in
  /// `scratch`, or `p` itself without dropout.
  static func dropped(
    _ p: UnsafePointer<Float>, _ dropout: DropoutDraw?, first: Int, count: Int,
    scratch: UnsafeMutablePointer<Float>
  ) -> UnsafePointer<Float> {
    guard let dropout else { return p }
    scratch.update(from: p, count: count)
    dropout.apply(to: scratch, first: first, count: count)
    return UnsafePointer(scratch)
  }
}
