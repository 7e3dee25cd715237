import Distributed
import Tensor

extension MPISelfTest {
  /// The slice collectives on uneven slices, then `GradientShards` (fp32 and fp16) on the bucket
  /// scenario's parameters: each rank's reduce-scattered slice against the sum every rank can
  /// compute alone, the "some rank had a gradient" flags, and the all-gather of the slices.
  static func checkShards(_ comm: Communicator) throws -> String {
    let (r, w) = (comm.rank, comm.size)
    let layout = ShardLayout(sizes: [1000 * w + 1], ranks: w)
    let counts = layout.counts
    let values = (0..<layout.total).map { Float(($0 % 97) * (r + 1)) }
    let slice = try comm.reduceScatterSum(values, counts: counts)
    let start = layout.start(r)
    try expect(slice.count == counts[r], "reduce-scatter gave \(slice.count) values")
    let triangle = Float(w * (w + 1) / 2)
    for (k, x) in slice.enumerated() {
      try expect(x == Float((start + k) % 97) * triangle, "reduce-scatter [\(start + k)] = \(x)")
    }
    var gathered = [Float](repeating: -1, count: layout.total)
    for i in start..<start + counts[r] { gathered[i] = Float(i) + 0.25 }
    try comm.allGather(&gathered, counts: counts)
    for (i, x) in gathered.enumerated() {
      try expect(x == Float(i) + 0.25, "all-gather [\(i)] = \(x)")
    }
    for source in 0..<w {
      let floats = try comm.gather(
        (0..<counts[source]).map { Float($0 + 10 * r) }, count: counts[source], from: source)
      let ints = try comm.gather([Int64(r), 7], count: 2, from: source)
      if r == 0 {
        try expect(
          floats == (0..<counts[source]).map { Float($0 + 10 * source) },
          "gather float from \(source)")
        try expect(ints == [Int64(source), 7], "gather int64 from \(source): \(ints)")
      } else {
        try expect(floats.isEmpty && ints.isEmpty, "gather left values on rank \(r)")
      }
    }
    for precision in [GradientBuckets.Precision.float32, .float16] {
      // One chunk per slice, and chunks of 333 values that start and end inside parameters.
      for chunkBytes in [16 << 20, 333 * (precision == .float32 ? 4 : 2)] {
        try checkGradientShards(comm, precision: precision, chunkBytes: chunkBytes)
      }
    }
    return "shards: reduce-scatter, all-gather and gather on slices of \(counts) values; "
      + "gradient shards (fp32, fp16) equal the sums over ranks, parameters gathered back"
  }

  /// `GradientShards` over `bucketSizes` with `testGradient`'s gradients, exchanged in chunks of
  /// `chunkBytes`.
  static func checkGradientShards(
    _ comm: Communicator, precision: GradientBuckets.Precision, chunkBytes: Int
  ) throws {
    let (r, w) = (comm.rank, comm.size)
    let shards = GradientShards(
      communicator: comm, sizes: bucketSizes, precision: precision, chunkBytes: chunkBytes)
    let layout = shards.layout
    let params = bucketSizes.map { Tensor.zeros([$0], requiresGrad: true) }
    for (p, t) in params.enumerated() { t.grad = testGradient(p, rank: r, update: 0) }
    let (slice, present) = try shards.reduceScatter(params)
    try expect(params.allSatisfy { $0.grad == nil }, "gradients kept after the reduce-scatter")
    let wanted = bucketSizes.indices.map { p in
      (0..<w).contains { testGradient(p, rank: $0, update: 0) != nil }
    }
    try expect(present == wanted, "\(precision.rawValue) flags \(present), expected \(wanted)")
    var k = 0
    for piece in layout.pieces(r) {
      for e in piece.offset..<piece.offset + piece.count {
        let sums = (0..<w).map { testGradient(piece.parameter, rank: $0, update: 0)?[e] ?? 0 }
        let want = sums.reduce(0, +)
        let magnitude = sums.reduce(0) { $0 + abs($1) }
        let got = slice[k]
        k += 1
        // Each term and partial sum is rounded to half: the error scales with the terms.
        let tolerance = precision == .float32 ? 1e-5 : 4e-3
        // Half sums overflow, or not, depending on the order of the partial sums.
        if precision == .float16 && (!got.isFinite || magnitude > 60000) { continue }
        try expect(
          abs(got - want) <= Float(tolerance) * max(1, magnitude),
          "\(precision.rawValue) slice of parameter \(piece.parameter) [\(e)] = \(got), "
            + "expected \(want)")
      }
    }
    try expect(k == slice.count, "slice of \(slice.count) values, pieces of \(k)")
    let start = layout.start(r)
    try shards.allGather((0..<slice.count).map { Float(start + $0) + 0.5 }, into: params)
    var flat = 0
    for t in params {
      for x in t.data {
        try expect(x == Float(flat) + 0.5, "gathered parameter value [\(flat)] = \(x)")
        flat += 1
      }
    }
  }
}
