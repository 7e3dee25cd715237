import CMPI
import Glibc

/// Bounds the time a rank waits in a collective, so that a rank that stops answering (SIGSTOP, a
/// hang, a lost node) ends the job instead of hanging it: the wait throws
/// `DistributedError.collectiveTimeout`, and the command that catches it aborts the job.
///
/// Every collective is non-blocking and polled against a deadline of `timeout` seconds. To name
/// the culprit, ranks exchange tiny point-to-point messages on a private communicator (every rank
/// with rank 0): an announcement when entering collective number k, and a heartbeat every
/// `heartbeatInterval` while waiting in it. When the deadline passes, rank 0 throws naming the
/// ranks (and their hosts) that have not announced k and those that announced it but have been
/// silent for more than `silenceLimit` (stopped inside it). Another rank throws at once when
/// rank 0 is such a rank; otherwise it leaves the verdict to rank 0 and throws itself after a
/// second timeout. The error asks for the abort to follow the verdict `timeout` seconds later
/// (`Communicator.abort`), so that a launcher watching its nodes (Open MPI's keepalive,
/// jobs/launch.sh) ends the job first when a node was lost.
final class Watchdog {
  /// Seconds a collective may take on this rank before the wait gives up.
  let timeout: Double
  private var comm: MPI_Comm?
  private let rank: Int
  private let size: Int
  /// Host name of each rank (for the verdict).
  let hosts: [String]
  private let tag: Int32 = 7
  private let heartbeatInterval: Double
  private let silenceLimit: Double
  /// Number of collectives this rank has entered.
  private(set) var sequence: Int64 = 0
  /// Highest collective number each rank has announced, as far as this rank has heard.
  private var arrived: [Int64]
  /// When this rank last heard from each rank (monotonic seconds).
  private var lastHeard: [Double]
  private var lastBeat = 0.0
  private var pendingSends: [(request: MPI_Request?, value: UnsafeMutablePointer<Int64>)] = []

  init(comm watched: MPI_Comm?, rank: Int, size: Int, timeout: Double) throws {
    guard timeout > 0 else {
      throw DistributedError.invalid("--collective-timeout \(timeout): must be positive")
    }
    self.rank = rank
    self.size = size
    self.timeout = timeout
    heartbeatInterval = min(1, timeout / 4)
    silenceLimit = max(3 * heartbeatInterval, timeout / 2)
    arrived = [Int64](repeating: 0, count: size)
    lastHeard = [Double](repeating: monotonicSeconds(), count: size)
    try check(MPI_Comm_dup(watched, &comm), "MPI_Comm_dup")
    hosts = try gatherHostNames(comm, size: size)
  }

  /// Numbers the collective this rank is entering and announces it. Returns its number.
  func enter() throws -> Int64 {
    sequence += 1
    arrived[rank] = sequence
    try announce(sequence)
    try drain()
    return sequence
  }

  /// Tells rank 0 (rank 0: every rank) that this rank is alive in `collective`.
  private func announce(_ collective: Int64) throws {
    for target in rank == 0 ? Array(1..<size) : [0] {
      let value = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
      value.pointee = collective
      var request: MPI_Request? = nil
      try check(
        MPI_Isend(value, 1, cmpi_int64(), Int32(target), tag, comm, &request),
        "MPI_Isend (watchdog)")
      pendingSends.append((request, value))
    }
    lastBeat = monotonicSeconds()
    try reapSends()
  }

  /// Polls until every request completes; throws when the deadline passes (see the type).
  func wait(_ requests: inout [MPI_Request?], collective: Int64, what: String) throws {
    var statuses = [MPI_Status](repeating: MPI_Status(), count: requests.count)
    let start = monotonicSeconds()
    var deadline = start + timeout
    var lastDrain = start
    var lastLoop = start
    var deferredToRankZero = false
    while true {
      var done: Int32 = 0
      var code = MPI_Testall(Int32(requests.count), &requests, &done, &statuses)
      if code == MPI_ERR_IN_STATUS {
        code = statuses.first { $0.MPI_ERROR != MPI_SUCCESS }?.MPI_ERROR ?? code
      }
      try check(code, "MPI_Testall (\(what))")
      if done != 0 { return }
      let now = monotonicSeconds()
      // This rank was itself stopped (or starved) meanwhile: the others judge it, not it them.
      if now - lastLoop > silenceLimit { deadline = max(deadline, now + timeout) }
      lastLoop = now
      if now - start > 0.002 { sched_yield() }
      if now - lastBeat >= heartbeatInterval { try announce(collective) }
      if now - lastDrain >= 0.05 {
        try drain()
        lastDrain = now
      }
      guard now >= deadline else { continue }
      try drain()
      let known = rank == 0 ? Array(1..<size) : [0]
      let missing = known.filter { arrived[$0] < collective }
      let silent = known.filter { arrived[$0] >= collective && now - lastHeard[$0] > silenceLimit }
      if rank != 0 && missing.isEmpty && silent.isEmpty && !deferredToRankZero {
        deferredToRankZero = true
        deadline = now + timeout
        continue
      }
      let message = verdict(what, collective, missing: missing, silent: silent)
      throw DistributedError.collectiveTimeout(message, abortDelay: timeout)
    }
  }

  private func verdict(_ what: String, _ collective: Int64, missing: [Int], silent: [Int])
    -> String
  {
    let head = "collective \(what) #\(collective) did not complete within"
    if missing.isEmpty && silent.isEmpty {
      return rank == 0
        ? "\(head) \(timeout) s although every rank arrived; aborting"
        : "\(head) \(2 * timeout) s; rank 0 is alive but did not abort; aborting"
    }
    func ranks(_ r: [Int]) -> String {
      (r.count == 1 ? "rank " : "ranks ") + r.map(String.init).joined(separator: ", ")
    }
    func on(_ r: [Int]) -> String {
      (r.count == 1 ? "host " : "hosts ") + r.map { hosts[$0] }.joined(separator: ", ")
    }
    var parts: [String] = []
    if !missing.isEmpty { parts.append("\(ranks(missing)) did not arrive (\(on(missing)))") }
    if !silent.isEmpty {
      parts.append(
        "\(ranks(silent)) did not arrive (\(on(silent)); stopped answering inside it for over"
          + " \(silenceLimit) s)")
    }
    return "\(head) \(timeout) s (--collective-timeout): \(parts.joined(separator: "; ")); aborting"
  }

  /// Records every announcement and heartbeat that has arrived.
  private func drain() throws {
    while true {
      var flag: Int32 = 0
      var status = MPI_Status()
      try check(MPI_Iprobe(MPI_ANY_SOURCE, tag, comm, &flag, &status), "MPI_Iprobe (watchdog)")
      guard flag != 0 else { return }
      var value: Int64 = 0
      let source = status.MPI_SOURCE
      try check(
        MPI_Recv(&value, 1, cmpi_int64(), source, tag, comm, &status), "MPI_Recv (watchdog)")
      arrived[Int(source)] = max(arrived[Int(source)], value)
      lastHeard[Int(source)] = monotonicSeconds()
    }
  }

  /// Releases the buffers of announcements that have been sent.
  private func reapSends() throws {
    var kept: [(request: MPI_Request?, value: UnsafeMutablePointer<Int64>)] = []
    for var send in pendingSends {
      var done: Int32 = 0
      var status = MPI_Status()
      try check(MPI_Test(&send.request, &done, &status), "MPI_Test (watchdog)")
      if done != 0 {
        send.value.deallocate()
      } else {
        kept.append(send)
      }
    }
    pendingSends = kept
  }

  /// Waits (bounded by the timeout) for the announcements in flight and frees the communicator.
  func close() throws {
    let deadline = monotonicSeconds() + timeout
    while !pendingSends.isEmpty && monotonicSeconds() < deadline {
      try drain()
      try reapSends()
    }
    try check(MPI_Comm_free(&comm), "MPI_Comm_free (watchdog)")
  }
}
