/// Cross-rank reductions of a few numbers, for layers that need statistics over the global batch
/// (synchronised batch norm, SeqBoat's per-batch compression decision) and for small metrics.
/// `Distributed.Communicator` implements it over MPI; `SingleProcess` is the identity.
public protocol Collective: AnyObject {
  /// Replaces `values` by their elementwise sum over all ranks (same count on every rank).
  func allReduceSum(_ values: inout [Double]) throws
  /// This process's index, 0..<size.
  var rank: Int { get }
  /// Number of processes taking part.
  var size: Int { get }
}

/// The collective of a single process: every reduction is the identity.
public final class SingleProcess: Collective {
  /// A single-process collective (rank 0 of 1).
  public init() {}

  /// Leaves `values` unchanged: the sum over one rank.
  public func allReduceSum(_ values: inout [Double]) throws {}

  /// Always 0.
  public var rank: Int { 0 }
  /// Always 1.
  public var size: Int { 1 }
}
