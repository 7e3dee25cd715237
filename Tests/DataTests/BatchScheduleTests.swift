import Data
import XCTest

final class BatchScheduleTests: XCTestCase {
  func testIndivisibleGlobalBatchNamesBothNumbers() {
    XCTAssertThrowsError(try BatchSchedule(count: 100, globalBatch: 10, worldSize: 3, rank: 0)) {
      XCTAssertEqual(
        "\($0)", "global batch size 10 is not divisible by the number of ranks 3")
    }
    XCTAssertThrowsError(try BatchSchedule(count: 100, globalBatch: 8, worldSize: 2, rank: 2))
  }

  func testTrainingDropsFinalPartialBatchAndSlicesContiguously() throws {
    let order = EpochOrder.permutation(count: 23, seed: 5, epoch: 0)
    let schedules = try (0..<2).map {
      try BatchSchedule(count: 23, globalBatch: 6, worldSize: 2, rank: $0)
    }
    XCTAssertEqual(schedules[0].trainingBatchCount, 3)
    XCTAssertEqual(schedules[0].localBatch, 3)
    for batch in 0..<3 {
      XCTAssertEqual(
        schedules[0].trainingRows(batch: batch, order: order)
          + schedules[1].trainingRows(batch: batch, order: order),
        Array(order[(batch * 6)..<(batch * 6 + 6)]))
    }
    let epoch = schedules[1].trainingEpoch(seed: 5, epoch: 0)
    XCTAssertEqual(epoch.count, 3)
    XCTAssertEqual(epoch[2], Array(order[15..<18]))
  }

  func testEvaluationShardsCoverTheSplitOnceAndKeepPartialBatches() throws {
    for world in 1...5 {
      var seen: [Int] = []
      for rank in 0..<world {
        let schedule = try BatchSchedule(
          count: 23, globalBatch: world, worldSize: world, rank: rank)
        let batches = schedule.evaluationBatches(batchSize: 4)
        XCTAssertTrue(batches.dropLast().allSatisfy { $0.count == 4 })
        seen += batches.flatMap { $0 }
      }
      XCTAssertEqual(seen, Array(0..<23), "world \(world)")
    }
  }
}
