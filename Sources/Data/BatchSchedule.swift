/// Which rows each rank reads in evaluation: a contiguous range of the split per rank, in file
/// order (DATASETS.md 2.5). Training rows come from `TrainingRun`'s epoch plan.
public struct BatchSchedule: Sendable {
  /// Examples in the split.
  public let count: Int
  /// Number of ranks.
  public let worldSize: Int
  /// This rank.
  public let rank: Int

  /// The schedule of rank `rank` of `worldSize` over `count` examples.
  public init(count: Int, worldSize: Int, rank: Int) throws {
    guard worldSize > 0, (0..<worldSize).contains(rank) else {
      throw DataError("rank \(rank) is not in 0..<\(worldSize)")
    }
    self.count = count
    self.worldSize = worldSize
    self.rank = rank
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
