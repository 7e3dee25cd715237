import Foundation
import Optim
import XCTest

/// The fairseq schedules of MODEL.md §6.4, against their formulas in float64.
final class LRScheduleTests: XCTestCase {
  func assertSchedule(
    _ s: LRSchedule, _ want: (Int) -> Double, upTo n: Int,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    for k in 0...n {
      let w = want(k)
      XCTAssertEqual(
        s.lr(afterUpdates: k), w, accuracy: 1e-12 * max(1, abs(w)), "n=\(k)", file: file, line: line
      )
    }
  }

  func testLinearDecayAsInGoldenTrajectory() throws {
    // train_trajectory_*: lr 0.01, warmup 4 from 1e-7, power 1, total 16, end 0.
    let s = try LinearDecaySchedule(
      lr: 0.01, warmupUpdates: 4, warmupInitLR: 1e-7, warmupPower: 1, totalNumUpdate: 16,
      endLearningRate: 0)
    XCTAssertEqual(s.lr(afterUpdates: 0), 1e-7)
    XCTAssertEqual(s.lr(forUpdate: 1), 1e-7, "update 1 uses lr(0) = warmup_init_lr")
    XCTAssertEqual(s.lr(afterUpdates: 2), 1e-7 + 2 * (0.01 - 1e-7) / 4, accuracy: 1e-15)
    XCTAssertEqual(s.lr(afterUpdates: 4), 0.01, accuracy: 1e-15)
    XCTAssertEqual(s.lr(afterUpdates: 10), 0.01 * 6 / 12, accuracy: 1e-15)
    assertSchedule(
      s,
      { n in
        if n <= 4 { return 1e-7 + Double(n) * (0.01 - 1e-7) / 4 }
        if n >= 16 { return 0 }
        return 0.01 * Double(16 - n) / 12
      }, upTo: 20)
  }

  func testLinearDecayWarmupPowerTwoAndEndRate() throws {
    let s = try LinearDecaySchedule(
      lr: 1e-2, warmupUpdates: 5, warmupInitLR: 1e-3, warmupPower: 2, totalNumUpdate: 15,
      endLearningRate: 1e-4)
    assertSchedule(
      s,
      { n in
        if n <= 5 { return 1e-3 + Double(n * n) * (1e-2 - 1e-3) / 25 }
        if n >= 15 { return 1e-4 }
        return 1e-4 + (1e-2 - 1e-4) * Double(15 - n) / 10
      }, upTo: 18)
  }

  func testLinearDecayWithoutWarmupStartsAtPeak() throws {
    let s = try LinearDecaySchedule(lr: 0.004, totalNumUpdate: 8)
    assertSchedule(s, { n in n >= 8 ? 0 : 0.004 * Double(8 - n) / 8 }, upTo: 9)
  }

  func testLinearDecayRejectsTotalNotAfterWarmup() {
    XCTAssertThrowsError(try LinearDecaySchedule(lr: 1, warmupUpdates: 10, totalNumUpdate: 10)) {
      XCTAssertEqual("\($0)", "--total-num-update 10: must exceed --warmup-updates 10")
    }
  }

  func testInverseSqrt() throws {
    let s = try InverseSqrtSchedule(lr: 5e-4, warmupUpdates: 4, warmupInitLR: 1e-7)
    assertSchedule(
      s,
      { n in
        n < 4 ? 1e-7 + Double(n) * (5e-4 - 1e-7) / 4 : 5e-4 * 2 / Double(n).squareRoot()
      }, upTo: 12)
    XCTAssertEqual(try InverseSqrtSchedule(lr: 1, warmupUpdates: 4).lr(afterUpdates: 1), 0.25)
  }

  func testCosineWithShrinkingRestarts() throws {
    let s = try CosineSchedule(
      lr: 1e-2, minLR: 1e-4, warmupUpdates: 3, warmupInitLR: 0, period: 5, lrShrink: 0.5)
    assertSchedule(
      s,
      { n in
        if n < 3 { return Double(n) * 1e-2 / 3 }
        let t = Double(n - 3)
        let i = (t / 5).rounded(.down)
        let f = pow(0.5, i)
        return f * (1e-4 + 0.5 * (1e-2 - 1e-4) * (1 + cos(Double.pi * (t - 5 * i) / 5)))
      }, upTo: 20)
  }

  func testCosineGrowingPeriodsAndDefaultPeriod() throws {
    let s = try CosineSchedule(lr: 1, minLR: 0, period: 2, tMult: 2, lrShrink: 1)
    // Cycles of 2, 4, 8 updates: starts of cycles at t = 0, 2, 6.
    XCTAssertEqual(s.lr(afterUpdates: 0), 1, accuracy: 1e-12)
    XCTAssertEqual(s.lr(afterUpdates: 1), 0.5, accuracy: 1e-12)
    XCTAssertEqual(s.lr(afterUpdates: 2), 1, accuracy: 1e-12)
    XCTAssertEqual(s.lr(afterUpdates: 4), 0.5, accuracy: 1e-12)
    XCTAssertEqual(s.lr(afterUpdates: 6), 1, accuracy: 1e-12)
    let d = try CosineSchedule(lr: 1, warmupUpdates: 2, maxUpdate: 10)
    XCTAssertEqual(d.period, 8)
    XCTAssertEqual(d.warmupInitLR, 0)
    XCTAssertEqual(d.lr(afterUpdates: 6), 0.5, accuracy: 1e-12)
  }

  func testFixedWithWarmup() throws {
    let s = try FixedSchedule(lr: 0.1, warmupUpdates: 4)
    assertSchedule(s, { n in n < 4 ? 0.1 * Double(n + 1) / 4 : 0.1 }, upTo: 8)
    XCTAssertEqual(try FixedSchedule(lr: 0.3).lr(afterUpdates: 0), 0.3)
  }
}
