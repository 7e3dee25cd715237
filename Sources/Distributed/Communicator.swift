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
