import Tensor

/// What one forward pass needs besides its inputs, passed explicitly to every layer's forward
/// call: train or eval mode, the dropout key of this pass, and the collective that reaches the
/// other ranks (synchronised batch norm, SeqBoat's batch-wide compression decision); it collects
/// what a pass reports besides its output (SeqBoat's router records).
///
/// Half precision is not a flag here: it is the dtype of the weights (`Module.withHalfWeights`),
/// which every op follows, as in PyTorch after `model.half()`.
///
/// A context lives for one pass over one micro-batch (forward and backward): it counts the dropout
/// masks it has handed out, and it keeps the first collective failure of a backward pass (backward
/// closures cannot throw) for the trainer to raise with `checkCollectives()`.
public final class ForwardContext {
  /// Train mode (dropout on, batch statistics, collective decisions) or eval mode.
  public let training: Bool
  /// The ranks that take part in this pass; a single process outside data-parallel training.
  public let collective: Collective
  /// Whether layers that need statistics over the whole batch reduce them over `collective`
  /// (training, where every rank runs the same micro-batch step), or decide on this rank's rows
  /// alone (evaluation, where ranks hold different batches).
  public let reducesOverRanks: Bool
  /// The threads this pass's kernels use: layers hand it to their fused ops (attention, EMA,
  /// router); it is `Parallelism.current` where the context was made unless given.
  public let parallelism: Parallelism
  /// The SeqBoat router records of this pass, one per SeqBoat layer run, in call order.
  public private(set) var routers: [RouterRecord] = []
  /// Where this pass's examples sit in the micro-batch over all ranks; nil when this process
  /// holds the whole batch. Dropout masks follow the global example index.
  public let examples: ExampleSpan?
  private let dropoutKey: UInt64
  private var drawn: [UInt64: UInt64] = [:]
  private var collectiveFailure: CollectiveFailure?

  /// A context; `dropoutKey` fixes this pass's masks (the trainer derives it from the run seed,
  /// the update and the micro-batch, the same on every rank), `examples` places this rank's rows
  /// in the micro-batch.
  public init(
    training: Bool, dropoutKey: UInt64 = 0, examples: ExampleSpan? = nil,
    collective: Collective = SingleProcess(), reducesOverRanks: Bool? = nil,
    parallelism: Parallelism = .current
  ) {
    self.parallelism = parallelism
    self.training = training
    self.dropoutKey = dropoutKey
    self.examples = examples
    self.collective = collective
    self.reducesOverRanks = (reducesOverRanks ?? training) && collective.size > 1
  }

  /// An evaluation context on one process: no dropout, running statistics, local decisions.
  public static func evaluation() -> ForwardContext { ForwardContext(training: false) }

  /// The next mask of probability `p` for the dropout site `site`, for a tensor of `count`
  /// elements, last dimension `width`, laid out as `layout`; nil when dropout is off (eval mode or
  /// p = 0). Masks depend on (key, site, masks this site drew before in this pass, global element
  /// index), never on anything outside this context, nor on other sites (a site a rank skips for
  /// lack of work does not shift the others' masks).
  public func dropoutDraw(
    p: Float, site: UInt64, layout: DropoutLayout, count: Int, width: Int
  ) -> DropoutDraw? {
    guard training, p > 0 else { return nil }
    let n = drawn[site, default: 0] + 1
    drawn[site] = n
    var rng = SplitMix64(
      seed: dropoutKey ^ (site &* 0x9E37_79B9_7F4A_7C15) ^ (n &* 0xD1B5_4A32_D192_ED03))
    let map = examples.flatMap {
      DropoutIndexMap(layout, count: count, width: width, span: $0)
    }
    return DropoutDraw(p: p, key: rng.next()).mapped(map)
  }

  /// Appends a SeqBoat layer's router record (`routers`).
  public func record(_ router: RouterRecord) { routers.append(router) }

  /// Sums `values` over the ranks of this pass (the identity when it does not reduce over
  /// ranks). `operation` names the caller in the error.
  public func allReduceSum(_ values: inout [Double], operation: String) throws {
    if let failure = reduce(&values, operation) { throw failure }
  }

  /// `allReduceSum` from a backward closure: a failure is kept (the first one) instead of thrown,
  /// and `values` are left as they are; after a failure no further reduction is attempted (each
  /// would wait out the collective timeout again).
  public func allReduceSumInBackward(_ values: inout [Double], operation: String) {
    guard collectiveFailure == nil else { return }
    collectiveFailure = reduce(&values, operation)
  }

  private func reduce(_ values: inout [Double], _ operation: String) -> CollectiveFailure? {
    guard reducesOverRanks else { return nil }
    do {
      try collective.allReduceSum(&values)
      return nil
    } catch {
      return CollectiveFailure(operation: operation, rank: collective.rank, reason: "\(error)")
    }
  }

  /// Throws the first collective failure of a backward pass run in this context, if any.
  public func checkCollectives() throws {
    if let collectiveFailure { throw collectiveFailure }
  }
}

/// A reduction over ranks that failed inside a layer: the operation, this rank, and why.
public struct CollectiveFailure: Error, CustomStringConvertible {
  /// What the layer was reducing (e.g. "synchronised batch norm statistics").
  public let operation: String
  /// The rank that saw the failure.
  public let rank: Int
  /// The communicator's message.
  public let reason: String

  public var description: String { "rank \(rank): \(operation): all-reduce failed: \(reason)" }
}
