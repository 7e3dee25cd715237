import CMPI

extension Communicator {
  /// Reduces the `count` elements at `buffer` (every rank's own values) with `op` onto rank
  /// `root`, in place there: afterwards `root`'s buffer holds the reduction and the others' are
  /// unchanged. Collective over all ranks.
  ///
  /// Open MPI's non-blocking reduce needs a temporary copy of the buffer on some ranks, so callers
  /// keep `count` small (a chunk of a larger exchange).
  func reduce(
    _ buffer: UnsafeMutableRawPointer?, count: Int, type: MPI_Datatype?, op: MPI_Op?, root: Int,
    _ what: String
  ) throws {
    let n = try mpiCount(count, what)
    let sequence = try watchdog.enter()
    var request: MPI_Request? = nil
    let send: UnsafeRawPointer? =
      rank == root ? UnsafeRawPointer(cmpi_in_place()) : UnsafeRawPointer(buffer)
    let receive: UnsafeMutableRawPointer? = rank == root ? buffer : nil
    try check(
      MPI_Ireduce(send, receive, n, type, op, Int32(root), comm, &request), "MPI_Ireduce")
    var requests = [request]
    try watchdog.wait(&requests, collective: sequence, what: what)
  }

  /// Copies the `count` elements at `buffer` on rank `root` into `buffer` on every other rank.
  /// Collective over all ranks.
  func broadcast(
    _ buffer: UnsafeMutableRawPointer?, count: Int, type: MPI_Datatype?, root: Int,
    _ what: String
  ) throws {
    let n = try mpiCount(count, what)
    let sequence = try watchdog.enter()
    var request: MPI_Request? = nil
    try check(
      MPI_Ibcast(buffer, n, type, Int32(root), comm, &request), "MPI_Ibcast")
    var requests = [request]
    try watchdog.wait(&requests, collective: sequence, what: what)
  }
}
