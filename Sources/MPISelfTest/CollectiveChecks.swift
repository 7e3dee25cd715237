import Distributed
import Tensor

extension MPISelfTest {
  static func checkCollectives(_ comm: Communicator) throws -> String {
    let r = comm.rank
    let w = comm.size
    let n = 1000
    let triangle = Float(w * (w + 1) / 2)

    var f = (0..<n).map { Float(r + 1) * Float($0 + 1) * 0.5 }
    try comm.allReduce(&f, .sum)
    for i in 0..<n {
      try expect(f[i] == triangle * Float(i + 1) * 0.5, "float sum [\(i)] = \(f[i])")
    }
    var fmax = (0..<n).map { Float(r) - Float($0) }
    var fmin = fmax
    try comm.allReduce(&fmax, .max)
    try comm.allReduce(&fmin, .min)
    for i in 0..<n {
      try expect(fmax[i] == Float(w - 1 - i), "float max [\(i)] = \(fmax[i])")
      try expect(fmin[i] == Float(-i), "float min [\(i)] = \(fmin[i])")
    }

    var d = (0..<n).map { 1e-3 * Double(r + 1) * Double($0) }
    try comm.allReduce(&d, .sum)
    for i in 0..<n {
      let want = 1e-3 * Double(triangle) * Double(i)
      try expect(abs(d[i] - want) <= 1e-12 * max(1, want), "double sum [\(i)] = \(d[i])")
    }

    let big = Int64(1) << 40
    var s = (0..<n).map { big * Int64(r + 1) + Int64($0) }
    var mx = s
    var mn = s
    try comm.allReduce(&s, .sum)
    try comm.allReduce(&mx, .max)
    try comm.allReduce(&mn, .min)
    for i in 0..<n {
      try expect(s[i] == big * Int64(triangle) + Int64(w * i), "int64 sum [\(i)] = \(s[i])")
      try expect(mx[i] == big * Int64(w) + Int64(i), "int64 max [\(i)] = \(mx[i])")
      try expect(mn[i] == big + Int64(i), "int64 min [\(i)] = \(mn[i])")
    }

    var h = (0..<n).map { Float16(0.25 * Float(r + 1) * Float($0 % 8)) }
    try comm.allReduceSum(&h)
    for i in 0..<n {
      try expect(Float(h[i]) == 0.25 * triangle * Float(i % 8), "float16 sum [\(i)] = \(h[i])")
    }
    var overflow = [Float16(60000)]
    try comm.allReduceSum(&overflow)
    try expect(w == 1 || overflow[0].isInfinite, "float16 sum past 65504 gave \(overflow[0])")

    let collective: Collective = comm
    var stats = [Double(r), 1]
    try collective.allReduceSum(&stats)
    try expect(stats == [Double(w * (w - 1) / 2), Double(w)], "Collective sum = \(stats)")
    try expect(collective.rank == r && collective.size == w, "Collective rank/size")

    let gathered = try comm.allGather([Int64(r), Int64(10 * r)])
    try expect(gathered == (0..<w).map { [Int64($0), Int64(10 * $0)] }, "allgather = \(gathered)")
    try comm.barrier()
    var empty: [Float] = []
    try comm.allReduce(&empty)
    return "collectives: float/double/int64 sum max min, float16 sum, allgather, barrier"
  }

  static func checkBroadcast(_ comm: Communicator) throws -> String {
    let root = comm.size - 1
    var bytes = comm.rank == root ? Array("config text".utf8) : [UInt8](repeating: 0, count: 11)
    try comm.broadcast(&bytes, root: root)
    try expect(String(decoding: bytes, as: UTF8.self) == "config text", "bytes broadcast")
    var ints: [Int64] = comm.rank == root ? [7, -1 << 50] : [0, 0]
    try comm.broadcast(&ints, root: root)
    try expect(ints == [7, -1 << 50], "int64 broadcast \(ints)")
    var doubles = comm.rank == root ? [Double.pi, -1e300] : [0, 0]
    try comm.broadcast(&doubles, root: root)
    try expect(doubles == [Double.pi, -1e300], "double broadcast \(doubles)")

    let shapes = [[3], [200, 500], [5], [7_000_000], [2, 3]]
    func values(_ seed: UInt64, _ shape: [Int]) -> [Float] {
      var g = SplitMix64(seed: seed)
      return (0..<shape.reduce(1, *)).map { _ in Float(g.uniform() * 2 - 1) }
    }
    let tensors = shapes.enumerated().map { k, shape in
      comm.rank == 0 ? Tensor(shape: shape, data: values(UInt64(k), shape)) : Tensor.zeros(shape)
    }
    try comm.broadcastValues(tensors, chunkBytes: 1 << 20)
    for (k, t) in tensors.enumerated() {
      try expect(t.data == values(UInt64(k), shapes[k]), "parameter \(k) differs after broadcast")
    }
    return "broadcast: bytes, int64, double from rank \(root); 5 parameters (28 MB) from rank 0"
  }

  static func checkSetup(_ comm: Communicator) throws -> String {
    let hash = fnv1a64("{\"arch\": \"mega_lra_listop\"}")
    try comm.verifySameSetup(configHash: hash, parameterCount: 12345)
    guard comm.size > 1 else { return "setup: single rank passes" }
    let odd = comm.size - 1
    let wrongHash = comm.rank == odd ? hash ^ 1 : hash
    do {
      try comm.verifySameSetup(configHash: wrongHash, parameterCount: 12345)
      throw SelfTestFailure("a different config hash was not detected")
    } catch let e as DistributedError {
      try expect(
        e.description == "rank \(odd) has config hash 0x\(String(hash ^ 1, radix: 16)) but rank 0 "
          + "has 0x\(String(hash, radix: 16)): every rank must run the same configuration",
        "config mismatch message: \(e)")
    }
    do {
      try comm.verifySameSetup(configHash: hash, parameterCount: comm.rank == odd ? 12 : 12345)
      throw SelfTestFailure("a different parameter count was not detected")
    } catch let e as DistributedError {
      try expect(
        e.description == "rank \(odd) has 12 parameters but rank 0 has 12345: "
          + "every rank must build the same model", "count mismatch message: \(e)")
    }
    return "setup: equal setups pass, config hash and parameter count mismatches name rank \(odd)"
  }

  static func checkErrorReturned(_ comm: Communicator) throws -> String {
    guard comm.size > 1 else { return "error: needs 2 ranks" }
    var values = [Float](repeating: 1, count: comm.rank == 0 ? 64 : 16)
    do {
      try comm.broadcast(&values, root: 0)
      try expect(comm.rank == 0, "a truncated broadcast did not fail on rank \(comm.rank)")
    } catch let e as DistributedError {
      try expect(comm.rank != 0, "rank 0 failed: \(e)")
      guard case .mpi(let call, _, let message) = e else { throw e }
      try expect(
        call == "MPI_Testall (broadcast float)" && message.contains("truncated"),
        "unexpected error: \(e)")
    }
    var check = [Double(1)]
    try comm.allReduce(&check)
    try expect(check == [Double(comm.size)], "allreduce after the error gave \(check)")
    return "error: a truncated broadcast is thrown naming MPI_Testall; collectives still work"
  }
}
