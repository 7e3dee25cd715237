/// Which rows each rank reads: training batches slice one shared per-epoch permutation;
/// evaluation gives each rank a contiguous range of the split (DATASETS.md 2.5).
public struct BatchSchedule: Sendable {
  /// Examples in the split.
  public let count: Int
  /// Examples per global batch, over all ranks.
  public let globalBatch: Int
  /// Number of ranks.
  public let worldSize: Int
  /// This rank.
  public let rank: Int

  /// A schedule for rank `rank` of `worldSize`; `globalBatch` must be divisible by `worldSize`.
  public init(count: Int, globalBatch: Int, worldSize: Int, rank: Int) throws {
    guard worldSize > 0, (0..<worldSize).contains(rank) else {
      throw DataError("rank \(rank) is not in 0..<\(worldSize)")
    }
    guard globalBatch > 0 else { throw DataError("global batch size \(globalBatch) must be > 0") }
    guard globalBatch % worldSize == 0 else {
      throw DataError(
        "global batch size \(globalBatch) is not divisible by the number of ranks \(worldSize)")
    }
    self.count = count
    self.globalBatch = globalBatch
    self.worldSize = worldSize
    self.rank = rank
  }

  /// Examples per rank in each training batch.
  public var localBatch: Int { globalBatch / worldSize }

  /// Full global batches per training epoch; the final partial batch is dropped.
  public var trainingBatchCount: Int { count / globalBatch }

  /// This rank's rows of training batch `batch` in the epoch whose permutation is `order`.
  public func trainingRows(batch: Int, order: [Int]) -> [Int] {
    let start = batch * globalBatch + rank * localBatch
    return Array(order[start..<(start + localBatch)])
  }

  /// This rank's rows of every training batch of `epoch`, from the shared permutation.
  public func trainingEpoch(seed: UInt64, epoch: UInt64) -> [[Int]] {
    let order = EpochOrder.permutation(count: count, seed: seed, epoch: epoch)
    return (0..<trainingBatchCount).map { trainingRows(batch: $0, order: order) }
  }

  /// This rank's contiguous share of the split for evaluation (sizes differ by at most one).
  public var evaluationRange: Range<Int> {
    (rank * count / worldSize)..<((rank + 1) * count / worldSize)
  }

  /// This rank's evaluation batches of up to `batchSize` rows, in file order; the last one may
  /// be partial and is kept.
  public func evaluationBatches(batchSize: Int) -> [[Int]] {
    let range = evaluationRange
    return stride(from: range.lowerBound, to: range.upperBound, by: max(batchSize, 1)).map {
      Array($0..<min($0 + max(batchSize, 1), range.upperBound))
    }
  }
}
