import Optim
import Training
import XCTest

/// `--lr-scheduler linear_decay` as fairseq builds it: `--total-num-update` defaults to
/// 1,000,000 and `--max-update` does not change it.
final class TrainOptionsScheduleTests: XCTestCase {
  private func schedule(maxUpdate: Int, totalNumUpdate: Int? = nil) throws -> LRSchedule {
    var o = TrainOptions()
    o.lr = 0.01
    o.warmupUpdates = 4
    o.maxUpdate = maxUpdate
    if let totalNumUpdate { o.totalNumUpdate = totalNumUpdate }
    return try o.makeSchedule()
  }

  func testDefaultEndIsAMillionUpdatesWhateverMaxUpdate() throws {
    for maxUpdate in [0, 50] {
      let s = try schedule(maxUpdate: maxUpdate)
      XCTAssertEqual(s.lr(afterUpdates: 2), 0.005, accuracy: 1e-15)
      XCTAssertEqual(s.lr(afterUpdates: 4), 0.01, accuracy: 1e-15)
      XCTAssertEqual(s.lr(afterUpdates: 5), 0.01 * 999_995 / 999_996, accuracy: 1e-15)
      XCTAssertEqual(s.lr(afterUpdates: 50), 0.01 * 999_950 / 999_996, accuracy: 1e-15)
      XCTAssertEqual(s.lr(afterUpdates: 500_002), 0.005, accuracy: 1e-15)
      XCTAssertEqual(s.lr(afterUpdates: 1_000_000), 0)
    }
  }

  func testGivenTotalNumUpdateEndsTheDecay() throws {
    let s = try schedule(maxUpdate: 0, totalNumUpdate: 20)
    XCTAssertEqual(s.lr(afterUpdates: 12), 0.005, accuracy: 1e-15)
    XCTAssertEqual(s.lr(afterUpdates: 20), 0)
    XCTAssertEqual(s.lr(afterUpdates: 30), 0)
  }
}
