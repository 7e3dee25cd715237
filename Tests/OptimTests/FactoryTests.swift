import Optim
import XCTest

/// Building optimizers and schedules from fairseq's names and flags.
final class FactoryTests: XCTestCase {
  func testScheduleNamesAndDefaults() throws {
    var o = LRScheduleOptions(lr: 0.01)
    o.warmupUpdates = 4
    o.warmupInitLR = 1e-7
    o.totalNumUpdate = 16
    let linear = try makeLRSchedule("linear_decay", o)
    XCTAssertEqual(linear.lr(afterUpdates: 0), 1e-7)
    XCTAssertEqual(linear.lr(afterUpdates: 10), 0.005, accuracy: 1e-15)

    let isqrt = try makeLRSchedule("inverse_sqrt", LRScheduleOptions(lr: 1)) as? InverseSqrtSchedule
    XCTAssertEqual(isqrt?.warmupUpdates, 4000, "fairseq's inverse_sqrt default warmup")
    XCTAssertEqual(isqrt?.warmupInitLR, 0)

    var c = LRScheduleOptions(lr: 1)
    c.maxUpdate = 100
    c.warmupUpdates = 10
    let cosine = try makeLRSchedule("cosine", c) as? CosineSchedule
    XCTAssertEqual(cosine?.period, 90)
    XCTAssertEqual(try makeLRSchedule("fixed", LRScheduleOptions(lr: 0.5)).lr(afterUpdates: 3), 0.5)

    XCTAssertThrowsError(try makeLRSchedule("polynomial_decay", o)) {
      XCTAssertEqual(
        "\($0)",
        "--lr-scheduler polynomial_decay: unknown; expected one of linear_decay, inverse_sqrt, "
          + "cosine, fixed")
    }
  }

  func testOptimizerNames() throws {
    let betas = try parseAdamBetas("(0.9, 0.98)")
    let adam = try makeOptimizer("adam", betas: betas, eps: 1e-8, weightDecay: 0.01) as? Adam
    XCTAssertEqual(adam?.betas.1, 0.98)
    XCTAssertEqual(adam?.weightDecay, 0.01)
    XCTAssertNotNil(try makeOptimizer("radam", betas: betas, eps: 1e-8, weightDecay: 0) as? RAdam)
    XCTAssertThrowsError(try makeOptimizer("sgd", betas: betas, eps: 1e-8, weightDecay: 0)) {
      XCTAssertEqual("\($0)", "--optimizer sgd: unknown; expected one of adam, radam")
    }
  }
}
