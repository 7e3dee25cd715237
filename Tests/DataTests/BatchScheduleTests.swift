import Data
import XCTest

final class BatchScheduleTests: XCTestCase {
  func testARankOutsideTheWorldIsRefused() {
    XCTAssertThrowsError(try BatchSchedule(count: 100, worldSize: 2, rank: 2)) {
      XCTAssertEqual("\($0)", "rank 2 is not in 0..<2")
    }
  }

  func testEvaluationShardsCoverTheSplitOnceAndKeepPartialBatches() throws {
    for world in 1...5 {
      var seen: [Int] = []
      for rank in 0..<world {
        let schedule = try BatchSchedule(count: 23, worldSize: world, rank: rank)
        let batches = schedule.evaluationBatches(batchSize: 4)
        XCTAssertTrue(batches.dropLast().allSatisfy { $0.count == 4 })
        seen += batches.flatMap { $0 }
      }
      XCTAssertEqual(seen, Array(0..<23), "world \(world)")
    }
  }
}
