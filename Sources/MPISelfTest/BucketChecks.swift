import Distributed
import Glibc
import Tensor

extension MPISelfTest {
  /// Element counts of the test parameters: small ones, one larger than a bucket.
  static let bucketSizes = [5, 1000, 3, 2500, 1, 700, 4000, 9, 300]

  /// Gradient of parameter `p` on rank `r` in update `u`, or nil where that rank has none:
  /// parameter 2 only on rank 0, parameter 4 on no rank, parameter 6 on every rank but rank 0.
  static func testGradient(_ p: Int, rank r: Int, update u: Int) -> [Float]? {
    if p == 2 && r != 0 { return nil }
    if p == 4 { return nil }
    if p == 6 && r == 0 { return nil }
    // The last parameter's sums overflow half precision in places.
    let scale = p == bucketSizes.count - 1 ? 40000.0 : 3
    return (0..<bucketSizes[p]).map { Float(sin(Double(31 * p + 7 * r + 13 * u + $0)) * scale) }
  }

  static func checkBuckets(_ comm: Communicator) throws -> String {
    var summary: [String] = []
    for precision in [GradientBuckets.Precision.float32, .float16] {
      let buckets = try GradientBuckets(
        communicator: comm, sizes: bucketSizes, bucketBytes: 8 << 10, precision: precision)
      try expect(buckets.bucketCount >= 3, "only \(buckets.bucketCount) buckets")
      let params = bucketSizes.map { Tensor.zeros([$0], requiresGrad: true) }
      for update in 0..<3 {
        for (p, t) in params.enumerated() {
          t.grad = testGradient(p, rank: comm.rank, update: update)
        }
        switch update {
        case 0:
          try buckets.allReduce(params)
        case 1:
          // Overlapped: gradients declared ready in an order that differs between ranks.
          let order = comm.rank % 2 == 0 ? Array(params.indices.reversed()) : Array(params.indices)
          for p in order.prefix(5) { try buckets.markReady(p, gradient: params[p].grad) }
          try buckets.finish(params)
        default:
          for p in params.indices.reversed() { try buckets.markReady(p, gradient: params[p].grad) }
          try buckets.finish(params)
        }
        try compareWithPlainAllReduce(params, update: update, precision: precision, comm)
      }
      summary.append("\(precision.rawValue) \(buckets.bucketCount) buckets")
    }
    try checkOverlappedBackward(comm)
    try checkCollectiveInsideBackward(comm)
    return "buckets: \(summary.joined(separator: ", ")) equal a plain allreduce over 3 updates; "
      + "reduction during backward equals reduction after it, also with collectives inside "
      + "backward reached in a different order on each rank"
  }

  /// A small MLP whose backward marks gradients ready as it goes (`readinessHook`), against the
  /// same gradients reduced by a plain allreduce afterwards. The extra bias is used on rank 0 only,
  /// one parameter on no rank.
  static func checkOverlappedBackward(_ comm: Communicator) throws {
    let params = randomParameters(
      [[64, 32], [64], [64, 64], [64], [10, 64], [10], [10], [7]], seed: 42)
    var input = SplitMix64(seed: UInt64(100 + comm.rank))
    let x = Tensor(shape: [5, 32], data: (0..<160).map { _ in Float(input.uniform()) })
    func loss() -> Tensor {
      let h1 = x.linear(params[0], params[1]).activated(.silu)
      let h2 = h1.linear(params[2], params[3]).activated(.silu)
      let out = h2.linear(params[4], params[5])
      return (comm.rank == 0 ? out.addingRow(params[6]) : out).activated(.tanh).sum()
    }
    let buckets = try GradientBuckets(
      communicator: comm, sizes: params.map(\.count), bucketBytes: 4 << 10)
    try buckets.backward(loss(), parameters: params)
    try expect(
      buckets.startedBuckets == buckets.bucketCount,
      "\(buckets.startedBuckets) of \(buckets.bucketCount) buckets started during backward")
    try buckets.finish(params)
    try expectPlainAllReduce(params, loss: loss, unused: 7, comm, "overlapped")
  }

  /// Parameters of `shapes` drawn uniformly from [−0.5, 0.5) by a generator seeded `seed`.
  static func randomParameters(_ shapes: [[Int]], seed: UInt64) -> [Tensor] {
    var g = SplitMix64(seed: seed)
    return shapes.map { shape in
      Tensor(
        shape: shape, data: (0..<shape.reduce(1, *)).map { _ in Float(g.uniform() - 0.5) },
        requiresGrad: true)
    }
  }

  /// Checks the gradients the buckets left on `params` against those of a second backward of
  /// `loss` summed by a plain allreduce, within float rounding of the summands; parameter
  /// `unused` (if any) must have none. `label` names the check in a failure.
  static func expectPlainAllReduce(
    _ params: [Tensor], loss: () -> Tensor, unused: Int? = nil, _ comm: Communicator,
    _ label: String
  ) throws {
    let reduced = params.map(\.grad)
    for p in params { p.grad = nil }
    loss().backward()
    var flat = params.flatMap(\.gradOrZeros)
    try comm.allReduce(&flat)
    var offset = 0
    for (i, p) in params.enumerated() {
      let want = flat[offset..<offset + p.count]
      offset += p.count
      if i == unused {
        try expect(reduced[i] == nil, "unused parameter got a gradient")
        continue
      }
      let close = zip(reduced[i] ?? [], want).allSatisfy {
        abs($0 - $1) <= 1e-5 * Float(comm.size) * max(1, abs($1))
      }
      try expect(
        reduced[i]?.count == p.count && close,
        "\(label) parameter \(i) differs from a plain allreduce")
    }
  }

  /// Checks the reduced gradients and the "no rank had a gradient" rule. fp32: against a plain
  /// float allreduce of the zero-filled gradients, within float rounding of the summands. fp16 on 2 ranks: exactly the half-precision sum
  /// of the half-rounded gradients (overflow to infinity included); on more ranks, within fp16
  /// rounding of the summands' magnitudes of the fp32 sum, where no partial sum can overflow.
  static func compareWithPlainAllReduce(
    _ params: [Tensor], update: Int, precision: GradientBuckets.Precision, _ comm: Communicator
  ) throws {
    func zeroFilled(_ p: Int, _ r: Int) -> [Float] {
      testGradient(p, rank: r, update: update) ?? [Float](repeating: 0, count: bucketSizes[p])
    }
    var flat = bucketSizes.indices.flatMap { zeroFilled($0, comm.rank) }
    try comm.allReduce(&flat)
    var offset = 0
    for (p, t) in params.enumerated() {
      let anyRank = (0..<comm.size).contains { testGradient(p, rank: $0, update: update) != nil }
      try expect((t.grad != nil) == anyRank, "parameter \(p): gradient presence \(t.grad != nil)")
      if let g = t.grad {
        let perRank = (0..<comm.size).map { zeroFilled(p, $0) }
        let exactHalf: [Float]? =
          precision == .float16 && comm.size == 2
          ? zip(perRank[0], perRank[1]).map {
            Float(Float16(Float(Float16($0)) + Float(Float16($1))))
          } : nil
        for i in 0..<g.count {
          let want = flat[offset + i]
          let magnitude = perRank.reduce(Float(0)) { $0 + abs($1[i]) }
          let ok: Bool
          if let exactHalf {
            ok = g[i] == exactHalf[i]
          } else if precision == .float32 {
            ok = abs(g[i] - want) <= 1e-6 * Float(comm.size) * max(1, magnitude)
          } else {
            ok = magnitude > 60000 || abs(g[i] - want) <= 1e-3 * Float(comm.size) * magnitude
          }
          try expect(
            ok,
            "\(precision.rawValue) update \(update) parameter \(p)[\(i)] = \(g[i]), want \(want)")
        }
        if exactHalf != nil && p == params.count - 1 {
          try expect(g.contains { $0.isInfinite }, "no half overflow in parameter \(p)")
        }
      }
      offset += bucketSizes[p]
    }
  }

  /// An op whose backward all-reduces (as synchronised batch norm does) sits between parameters
  /// whose buckets complete before it on even ranks and after it on odd ranks: on one communicator
  /// the collectives would be issued in different orders; the buckets' own communicator keeps both
  /// correct.
  static func checkCollectiveInsideBackward(_ comm: Communicator) throws {
    let params = randomParameters([[16, 8], [16, 16], [16]], seed: 7)
    let (w1, w2, a) = (params[0], params[1], params[2])
    var input = SplitMix64(seed: UInt64(200 + comm.rank))
    let x = Tensor(shape: [4, 8], data: (0..<32).map { _ in Float(input.uniform()) })
    func synchronised(_ h: Tensor) -> Tensor {
      Tensor.op(shape: h.shape, data: h.data, parents: [h]) { out in
        var total = [out.grad!.reduce(0.0) { $0 + Double($1) }]
        do { try comm.allReduceSum(&total) } catch { comm.abort("allreduce in backward: \(error)") }
        let factor = Float(1 + 0.01 * total[0])
        h.accumulateGrad { dh in for i in 0..<dh.count { dh[i] += out.grad![i] * factor } }
      }
    }
    func loss() -> Tensor {
      let early = comm.rank % 2 == 0
      let h = synchronised(early ? x.linear(w1) : x.linear(w1).addingRow(a))
      let out = h.activated(.tanh).linear(w2)
      return (early ? out.addingRow(a) : out).activated(.tanh).sum()
    }
    let buckets = try GradientBuckets(
      communicator: comm, sizes: params.map(\.count), bucketBytes: 64)
    try buckets.backward(loss(), parameters: params)
    try buckets.finish(params)
    try expectPlainAllReduce(params, loss: loss, comm, "collective order:")
  }
}
