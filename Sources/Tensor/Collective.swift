/// Cross-rank reduction of a few numbers, for layers whose statistics span every rank's batch
/// (synchronised batch norm). `Distributed` implements it over MPI; one process uses `SingleProcess`.
public protocol Collective: AnyObject {
  /// Replaces `values` by their element-wise sum over all ranks (every rank passes the same count).
  func allreduceSum(_ values: inout [Double])
}

/// The collective of a single process: the sum over one rank is the value itself.
public final class SingleProcess: Collective {
  /// The identity collective.
  public init() {}

  /// Leaves `values` unchanged.
  public func allreduceSum(_ values: inout [Double]) {}
}
