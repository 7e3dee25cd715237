import CMPI
import Glibc
import Tensor

/// An MPI communicator (the job's world, or a duplicate of it): rank, size and the collectives
/// training needs.
///
/// Every MPI call returns an error code (`MPI_ERRORS_RETURN`) that is thrown as a
/// `DistributedError` naming the call. Every collective is non-blocking underneath and waited on
/// with a deadline (`Watchdog`): a rank that does not arrive within `collectiveTimeout` seconds
/// makes the job abort with a line naming it.
public final class Communicator: Collective {
  /// This process's rank, 0..<size.
  public let rank: Int
  /// Number of ranks.
  public let size: Int
  let comm: MPI_Comm?
  let watchdog: Watchdog
  nonisolated(unsafe) private static var shared: Communicator?

  private var duplicates: [Communicator] = []

  private init(_ comm: MPI_Comm?, collectiveTimeout: Double) throws {
    try check(MPI_Comm_set_errhandler(comm, cmpi_errors_return()), "MPI_Comm_set_errhandler")
    var r: Int32 = 0
    var s: Int32 = 0
    try check(MPI_Comm_rank(comm, &r), "MPI_Comm_rank")
    try check(MPI_Comm_size(comm, &s), "MPI_Comm_size")
    self.comm = comm
    rank = Int(r)
    size = Int(s)
    watchdog = try Watchdog(comm: comm, rank: rank, size: size, timeout: collectiveTimeout)
  }

  /// The world communicator; the first call initialises MPI (later calls return the same object and
  /// ignore `collectiveTimeout`).
  public static func world(collectiveTimeout: Double = 300) throws -> Communicator {
    if let shared { return shared }
    var initialized: Int32 = 0
    try check(MPI_Initialized(&initialized), "MPI_Initialized")
    if initialized == 0 {
      // libnbc's default for an in-place all-reduce on fewer than 4 ranks is a binomial tree
      // (reduce, then broadcast): twice the blocking MPI_Allreduce's time for large buffers. The
      // ring matches it (AllreduceBench); a value set by the user wins.
      setenv("OMPI_MCA_coll_libnbc_iallreduce_algorithm", "1", 0)
      var provided: Int32 = 0
      try check(
        MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided), "MPI_Init_thread")
    }
    let c = try Communicator(cmpi_comm_world(), collectiveTimeout: collectiveTimeout)
    shared = c
    return c
  }

  /// A communicator over the same ranks whose collectives are independent of this one's (MPI
  /// matches collectives per communicator, in call order): gradient buckets reduce on their own,
  /// so their order never interleaves with collectives that layers call during backward.
  /// Collective: every rank calls it at the same point. Freed by the world's `finalize`.
  public func duplicate() throws -> Communicator {
    var copy: MPI_Comm? = nil
    try check(MPI_Comm_dup(comm, &copy), "MPI_Comm_dup")
    let c = try Communicator(copy, collectiveTimeout: watchdog.timeout)
    Communicator.shared?.duplicates.append(c)
    return c
  }

  /// Seconds a collective may wait before the job is aborted.
  public var collectiveTimeout: Double { watchdog.timeout }

  // MARK: Reductions

  /// Elementwise reduction of `values` over all ranks, in place.
  public func allReduce(_ values: inout [Float], _ op: ReduceOp = .sum) throws {
    try reduce(&values, cmpi_float(), op.handle, "allreduce float \(op)")
  }

  /// Elementwise reduction of `values` over all ranks, in place.
  public func allReduce(_ values: inout [Double], _ op: ReduceOp = .sum) throws {
    try reduce(&values, cmpi_double(), op.handle, "allreduce double \(op)")
  }

  /// Elementwise reduction of `values` over all ranks, in place.
  public func allReduce(_ values: inout [Int64], _ op: ReduceOp = .sum) throws {
    try reduce(&values, cmpi_int64(), op.handle, "allreduce int64 \(op)")
  }

  /// Elementwise sum of half-precision `values` over all ranks (each partial sum rounded to half).
  public func allReduceSum(_ values: inout [Float16]) throws {
    try reduce(&values, cmpi_float16(), cmpi_float16_sum(), "allreduce float16 sum")
  }

  /// `Collective`: elementwise sum of `values` over all ranks.
  public func allReduceSum(_ values: inout [Double]) throws {
    try allReduce(&values, .sum)
  }

  private func reduce<T>(_ values: inout [T], _ type: MPI_Datatype?, _ op: MPI_Op?, _ what: String)
    throws
  {
    let count = try mpiCount(values.count, what)
    try values.withUnsafeMutableBytes { buffer in
      let pending = try startAllReduce(buffer.baseAddress, count: count, type: type, op: op, what)
      try wait([pending])
    }
  }

  // MARK: Broadcast, gather, barrier

  /// Replaces `values` on every rank by those of `root` (same count on every rank).
  public func broadcast(_ values: inout [Float], root: Int = 0) throws {
    try broadcast(&values, cmpi_float(), root, "broadcast float")
  }

  /// Replaces `values` on every rank by those of `root` (same count on every rank).
  public func broadcast(_ values: inout [Double], root: Int = 0) throws {
    try broadcast(&values, cmpi_double(), root, "broadcast double")
  }

  /// Replaces `values` on every rank by those of `root` (same count on every rank).
  public func broadcast(_ values: inout [Int64], root: Int = 0) throws {
    try broadcast(&values, cmpi_int64(), root, "broadcast int64")
  }

  /// Replaces `values` on every rank by those of `root` (same count on every rank).
  public func broadcast(_ values: inout [UInt8], root: Int = 0) throws {
    try broadcast(&values, cmpi_byte(), root, "broadcast bytes")
  }

  private func broadcast<T>(_ values: inout [T], _ type: MPI_Datatype?, _ root: Int, _ what: String)
    throws
  {
    guard (0..<size).contains(root) else {
      throw DistributedError.invalid("broadcast root \(root) is not a rank of \(size)")
    }
    let count = try mpiCount(values.count, what)
    try values.withUnsafeMutableBytes { buffer in
      let sequence = try watchdog.enter()
      var request: MPI_Request? = nil
      try check(
        MPI_Ibcast(buffer.baseAddress, count, type, Int32(root), comm, &request), "MPI_Ibcast")
      var requests = [request]
      try watchdog.wait(&requests, collective: sequence, what: what)
    }
  }

  /// Every rank's `values` (same count everywhere), indexed by rank.
  public func allGather(_ values: [Int64]) throws -> [[Int64]] {
    let n = values.count
    var all = [Int64](repeating: 0, count: n * size)
    let count = try mpiCount(n, "allgather")
    try values.withUnsafeBytes { send in
      try all.withUnsafeMutableBytes { receive in
        let sequence = try watchdog.enter()
        var request: MPI_Request? = nil
        try check(
          MPI_Iallgather(
            send.baseAddress, count, cmpi_int64(), receive.baseAddress, count, cmpi_int64(), comm,
            &request), "MPI_Iallgather")
        var requests = [request]
        try watchdog.wait(&requests, collective: sequence, what: "allgather int64")
      }
    }
    return (0..<size).map { Array(all[$0 * n..<($0 + 1) * n]) }
  }

  /// Returns once every rank has called `barrier()`.
  public func barrier() throws {
    let sequence = try watchdog.enter()
    var request: MPI_Request? = nil
    try check(MPI_Ibarrier(comm, &request), "MPI_Ibarrier")
    var requests = [request]
    try watchdog.wait(&requests, collective: sequence, what: "barrier")
  }

  // MARK: Slices (sharded optimizer state)

  /// Sums `values` (the same length on every rank, `counts` summing to it) over all ranks and
  /// returns this rank's slice of the sum: elements `start..<start + counts[rank]`, where `start`
  /// is the sum of the counts of lower ranks. Counts may differ between ranks and may be zero.
  public func reduceScatterSum(_ values: [Float], counts: [Int]) throws -> [Float] {
    var buffer = values
    try buffer.withUnsafeMutableBytes { bytes in
      try reduceScatter(
        bytes.baseAddress, length: values.count, counts: counts, type: cmpi_float(),
        op: cmpi_sum(), "reduce-scatter float sum")
    }
    return Array(buffer[0..<counts[rank]])
  }

  /// Fills `values` (the same length on every rank, `counts` summing to it) with every rank's
  /// slice: each rank contributes its own elements, in place, and receives the others'.
  public func allGather(_ values: inout [Float], counts: [Int]) throws {
    let length = values.count
    try values.withUnsafeMutableBytes { bytes in
      try allGather(
        bytes.baseAddress, length: length, counts: counts, type: cmpi_float(), "allgather float")
    }
  }

  /// `values` of rank `source` (`count` elements, a count every rank knows) on rank `root`; the
  /// other ranks get an empty array. Collective over all ranks, but only `source` sends.
  public func gather(_ values: [Float], count: Int, from source: Int, to root: Int = 0) throws
    -> [Float]
  {
    try gather(values, count: count, from: source, to: root, cmpi_float(), "gather float")
  }

  /// `values` of rank `source` (`count` elements, a count every rank knows) on rank `root`; the
  /// other ranks get an empty array. Collective over all ranks, but only `source` sends.
  public func gather(_ values: [Int64], count: Int, from source: Int, to root: Int = 0) throws
    -> [Int64]
  {
    try gather(values, count: count, from: source, to: root, cmpi_int64(), "gather int64")
  }

  private func gather<T: Numeric>(
    _ values: [T], count: Int, from source: Int, to root: Int, _ type: MPI_Datatype?,
    _ what: String
  ) throws -> [T] {
    guard (0..<size).contains(source), (0..<size).contains(root) else {
      throw DistributedError.invalid("\(what) from rank \(source) to \(root): not ranks of \(size)")
    }
    if rank == source && values.count != count {
      throw DistributedError.invalid(
        "\(what): rank \(rank) has \(values.count) values, not \(count)")
    }
    guard source != root else { return rank == root ? values : [] }
    var received = [T](repeating: 0, count: rank == root ? count : 0)
    let n = try mpiCount(count, what)
    var counts = [Int32](repeating: 0, count: size)
    counts[source] = n
    let displacements = [Int32](repeating: 0, count: size)
    try values.withUnsafeBytes { send in
      try received.withUnsafeMutableBytes { receive in
        try counts.withUnsafeBufferPointer { c in
          try displacements.withUnsafeBufferPointer { d in
            let sequence = try watchdog.enter()
            var request: MPI_Request? = nil
            try check(
              MPI_Igatherv(
                send.baseAddress, rank == source ? n : 0, type, receive.baseAddress,
                c.baseAddress, d.baseAddress, type, Int32(root), comm, &request), "MPI_Igatherv")
            var requests = [request]
            try watchdog.wait(&requests, collective: sequence, what: what)
          }
        }
      }
    }
    return received
  }

  /// MPI's counts and displacements for slices of `counts` elements of a `length`-element
  /// buffer, or an error naming `what`.
  private func sliceCounts(_ counts: [Int], length: Int, _ what: String) throws -> (
    counts: [Int32], displacements: [Int32]
  ) {
    guard counts.count == size, counts.allSatisfy({ $0 >= 0 }), counts.reduce(0, +) == length
    else {
      throw DistributedError.invalid(
        "\(what): slice counts \(counts) do not cut \(length) elements into \(size) ranks")
    }
    _ = try mpiCount(length, what)
    var displacements: [Int32] = []
    var offset: Int32 = 0
    for c in counts {
      displacements.append(offset)
      offset += Int32(c)
    }
    return (counts.map { Int32($0) }, displacements)
  }

  /// In-place reduce-scatter of the `length` elements at `buffer`: afterwards its first
  /// `counts[rank]` elements hold this rank's slice of the reduction.
  func reduceScatter(
    _ buffer: UnsafeMutableRawPointer?, length: Int, counts: [Int], type: MPI_Datatype?,
    op: MPI_Op?, _ what: String
  ) throws {
    let (n, _) = try sliceCounts(counts, length: length, what)
    // The count arrays of a non-blocking collective must stay valid until it completes.
    try n.withUnsafeBufferPointer { n in
      let sequence = try watchdog.enter()
      var request: MPI_Request? = nil
      try check(
        MPI_Ireduce_scatter(cmpi_in_place(), buffer, n.baseAddress, type, op, comm, &request),
        "MPI_Ireduce_scatter")
      var requests = [request]
      try watchdog.wait(&requests, collective: sequence, what: what)
    }
  }

  /// In-place all-gather of the `length` elements at `buffer`: each rank's slice (at its flat
  /// position) is sent from its place and received everywhere else.
  func allGather(
    _ buffer: UnsafeMutableRawPointer?, length: Int, counts: [Int], type: MPI_Datatype?,
    _ what: String
  ) throws {
    let (n, displacements) = try sliceCounts(counts, length: length, what)
    try n.withUnsafeBufferPointer { n in
      try displacements.withUnsafeBufferPointer { d in
        let sequence = try watchdog.enter()
        var request: MPI_Request? = nil
        try check(
          MPI_Iallgatherv(
            cmpi_in_place(), 0, type, buffer, n.baseAddress, d.baseAddress, type, comm, &request),
          "MPI_Iallgatherv")
        var requests = [request]
        try watchdog.wait(&requests, collective: sequence, what: what)
      }
    }
  }

  // MARK: Non-blocking building blocks

  /// An all-reduce that has been started and must be waited on (buffer kept alive until then).
  struct PendingCollective {
    var request: MPI_Request?
    let sequence: Int64
    let what: String
  }

  /// Starts an in-place all-reduce of `count` elements at `buffer`.
  func startAllReduce(
    _ buffer: UnsafeMutableRawPointer?, count: Int32, type: MPI_Datatype?, op: MPI_Op?,
    _ what: String
  ) throws -> PendingCollective {
    let sequence = try watchdog.enter()
    var request: MPI_Request? = nil
    try check(
      MPI_Iallreduce(cmpi_in_place(), buffer, count, type, op, comm, &request), "MPI_Iallreduce")
    return PendingCollective(request: request, sequence: sequence, what: what)
  }

  /// Advances a started collective without waiting; once complete its request is released.
  func test(_ pending: inout PendingCollective) throws {
    var done: Int32 = 0
    var status = MPI_Status()
    try check(MPI_Test(&pending.request, &done, &status), "MPI_Test (\(pending.what))")
  }

  /// Waits for started collectives (in the order they were started), under the watchdog.
  func wait(_ pending: [PendingCollective]) throws {
    for p in pending {
      var requests = [p.request]
      try watchdog.wait(&requests, collective: p.sequence, what: p.what)
    }
  }

  /// `n` as an MPI count, or an error naming the operation.
  func mpiCount(_ n: Int, _ what: String) throws -> Int32 {
    guard n <= Int(Int32.max) else {
      throw DistributedError.invalid("\(what) of \(n) elements exceeds MPI's count limit")
    }
    return Int32(n)
  }

  // MARK: Ending

  /// Prints `seqboat: rank R of W: message` to standard error and aborts every rank (exit code
  /// `code` for `mpirun`).
  public func abort(_ message: String, code: Int32 = 1) -> Never {
    abortJob(rank: rank, size: size, message: message, code: code)
  }

  /// Aborts every rank with `prefix: error`, the error's exit status and delay
  /// (`DistributedError.exitCode`, `abortDelay`: 3 and the collective timeout for a collective
  /// timeout; 1 and none for anything else).
  public func abort(_ prefix: String, _ error: Error) -> Never {
    let known = error as? DistributedError
    abortJob(
      rank: rank, size: size, message: "\(prefix): \(error)", code: known?.exitCode ?? 1,
      delay: known?.abortDelay ?? 0)
  }

  /// Ends MPI for this process; call once, on every rank, after the last collective.
  public func finalize() throws {
    for d in duplicates {
      try d.watchdog.close()
      var c = d.comm
      try check(MPI_Comm_free(&c), "MPI_Comm_free")
    }
    duplicates = []
    try watchdog.close()
    try check(MPI_Finalize(), "MPI_Finalize")
    Communicator.shared = nil
  }
}
