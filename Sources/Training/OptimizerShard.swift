import Distributed
import Optim
import Tensor

/// This rank's part of sharded optimizer state (`--zero-sharding os`, ZeRO stage 1): gradients
/// are reduce-scattered so that the rank receives the summed gradient of its slice of the
/// flattened parameters only (`ShardLayout`), normalised and clipped there (the global norm from
/// one all-reduce of the slices' squared sums), the slice is stepped by the optimizer that holds
/// the moments of that slice only, and the updated slices are all-gathered into every rank's
/// parameters. For checkpoints the state is consolidated on rank 0, one rank's slice at a time.
final class OptimizerShard {
  /// The gradient and parameter exchanges.
  let exchange: GradientShards
  /// The optimizer over this rank's slice.
  let optimizer: ShardedOptimizer
  /// Every rank's pieces (rank 0 unpacks them when consolidating).
  private let piecesByRank: [[ShardedOptimizer.Piece]]
  /// For each piece of this rank, its parameter's index.
  private let pieceParameters: [Int]
  /// The summed, normalised and clipped gradient of this rank's slice for the coming step.
  private var gradient: [Float] = []
  /// Whether each parameter took part in the update being made (some rank had a gradient).
  private var present: [Bool] = []

  /// The shard of `parameters` (names and tensors, parameter order) over `communicator`, stepped
  /// by `optimizer`; gradients travel in `precision`.
  init(
    parameters: [(name: String, tensor: Tensor)], optimizer: Optimizer,
    communicator: Communicator, precision: GradientBuckets.Precision
  ) {
    exchange = GradientShards(
      communicator: communicator, sizes: parameters.map(\.tensor.count), precision: precision)
    let layout = exchange.layout
    piecesByRank = (0..<layout.ranks).map { r in
      layout.pieces(r).map {
        ShardedOptimizer.Piece(
          name: parameters[$0.parameter].name, size: layout.sizes[$0.parameter],
          offset: $0.offset, count: $0.count)
      }
    }
    pieceParameters = layout.pieces(communicator.rank).map(\.parameter)
    self.optimizer = ShardedOptimizer(optimizer, pieces: piecesByRank[communicator.rank])
  }

  private var communicator: Communicator { exchange.communicator }

  /// Reduce-scatters the gradients of `tensors` (released afterwards), multiplies this rank's
  /// slice by `factor` and clips it by the global norm at `clipNorm` (0: off). Returns the norm
  /// before clipping, the same on every rank.
  func reduce(_ tensors: [Tensor], factor: Float, clipNorm: Double) throws -> Double {
    (gradient, present) = try exchange.reduceScatter(tensors)
    var squares = [0.0]
    gradient.withUnsafeMutableBufferPointer { g in
      for i in 0..<g.count {
        g[i] *= factor
        squares[0] += Double(g[i]) * Double(g[i])
      }
    }
    try communicator.allReduce(&squares)
    let norm = squares[0].squareRoot()
    if let c = clipCoefficient(norm: norm, maxNorm: clipNorm) {
      gradient.withUnsafeMutableBufferPointer { g in for i in 0..<g.count { g[i] *= c } }
    }
    return norm
  }

  /// Steps this rank's slice with the gradient of the last `reduce` at learning rate `lr`, then
  /// all-gathers every slice into `tensors`.
  func step(_ tensors: [Tensor], lr: Double) throws {
    let summed = gradient
    gradient = []
    let updated = try optimizer.step(
      values: sliceValues(tensors), gradient: consume summed,
      hasGradient: pieceParameters.map { present[$0] }, lr: lr)
    try exchange.allGather(updated, into: tensors)
  }

  /// The current values of this rank's slice of `tensors`.
  private func sliceValues(_ tensors: [Tensor]) -> [Float] {
    var values: [Float] = []
    values.reserveCapacity(optimizer.count)
    for (piece, p) in zip(optimizer.pieces, pieceParameters) {
      values += tensors[p].data[piece.offset..<piece.offset + piece.count]
    }
    return values
  }

  /// The whole optimizer state on rank 0, gathered one rank's slice at a time (an empty table on
  /// the other ranks). Collective.
  func consolidatedState() throws -> [String: MomentState] {
    var full: [String: MomentState] = [:]
    let mine = optimizer.packed()
    for r in 0..<communicator.size {
      let count = exchange.layout.count(r)
      let packed = ShardedOptimizer.Packed(
        steps: try communicator.gather(
          mine.steps, count: piecesByRank[r].count, from: r),
        expAvg: try communicator.gather(mine.expAvg, count: count, from: r),
        expAvgSq: try communicator.gather(mine.expAvgSq, count: count, from: r))
      if communicator.rank == 0 {
        ShardedOptimizer.unpack(packed, pieces: piecesByRank[r], into: &full)
      }
    }
    return full
  }

  /// Takes this rank's slice of whole-parameter state (a checkpoint's).
  func restore(_ full: [String: MomentState]) throws {
    try optimizer.restore(full)
  }
}
