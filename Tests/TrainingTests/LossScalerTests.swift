import XCTest

@testable import Training

/// fairseq's `DynamicLossScaler` rules with tolerance 0 (MODEL.md §6.6).
final class LossScalerTests: XCTestCase {
  func testHalvesOnOverflowAndDoublesAfterAWindow() throws {
    var s = LossScaler(initScale: 128, window: 3, minScale: 1e-4)
    try s.update(overflow: true)
    XCTAssertEqual(s.scale, 64)
    XCTAssertEqual(s.lastOverflowIter, 0)
    try s.update(overflow: false)
    try s.update(overflow: false)
    XCTAssertEqual(s.scale, 64)
    try s.update(overflow: false)
    XCTAssertEqual(s.scale, 128, "iter 3 − last overflow 0 = window")
    for _ in 0..<3 { try s.update(overflow: false) }
    XCTAssertEqual(s.scale, 256)
    XCTAssertEqual(s.iter, 7)
  }

  func testWithoutOverflowTheScaleDoublesEveryWindow() throws {
    var s = LossScaler(initScale: 2, window: 4, minScale: 1e-4)
    var scales: [Double] = []
    for _ in 0..<8 {
      try s.update(overflow: false)
      scales.append(s.scale)
    }
    XCTAssertEqual(scales, [2, 2, 2, 4, 4, 4, 4, 8])
  }

  func testRefusesToFallToTheMinimum() throws {
    var s = LossScaler(initScale: 0.0004, window: 4, minScale: 1e-4)
    try s.update(overflow: true)
    XCTAssertEqual(s.scale, 0.0002)
    XCTAssertThrowsError(try s.update(overflow: true)) { error in
      XCTAssertTrue("\(error)".contains("minimum loss scale reached"))
    }
    XCTAssertEqual(s.scale, 0.0002, "the old scale is kept")
  }

  func testDefaultWindowFollowsFairseq() {
    XCTAssertEqual(LossScaler.defaultWindow(ranks: 1, updateFreq: 1), 16384)
    XCTAssertEqual(LossScaler.defaultWindow(ranks: 2, updateFreq: 4), 2048)
  }
}
