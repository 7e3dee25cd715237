/// A failure that every rank of the job knows of (`Communicator.agree`): the job can end through
/// `MPI_Finalize` with one line, from the lowest failing rank, and the same exit status on every
/// rank, instead of `MPI_Abort`.
public struct AgreedFailure: Error, CustomStringConvertible {
  /// This rank's own error; nil on ranks that did not fail.
  public let local: Error?
  /// The lowest rank that failed: the one that reports.
  public let reporter: Int
  /// Whether this rank reports the failure.
  public let reports: Bool

  /// This rank's error, or which rank failed.
  public var description: String {
    local.map { "\($0)" } ?? "rank \(reporter) failed"
  }
}

extension Communicator {
  /// A collective check point: runs `body` (whose collectives, if any, every rank reaches: a
  /// failure before one must be the same on every rank), then every rank learns whether any
  /// failed (one all-reduce). When one did, every rank throws `AgreedFailure`. Every rank calls
  /// it at the same point.
  public func agree(_ body: () throws -> Void) throws {
    var failure: Error?
    do { try body() } catch { failure = error }
    var lowest = [Int64(failure == nil ? size : rank)]
    try allReduce(&lowest, .min)
    let reporter = Int(lowest[0])
    guard reporter < size else { return }
    throw AgreedFailure(local: failure, reporter: reporter, reports: reporter == rank)
  }
}
