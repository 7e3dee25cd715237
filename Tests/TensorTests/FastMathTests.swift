import Foundation
import Tensor
import XCTest

/// `fastExp`: the vectorisable float32 exponential of the attention softmax and silu/sigmoid.
final class FastMathTests: XCTestCase {
  func testMatchesExpWithinTwoUlp() {
    var worst: Double = 0
    var x: Float = -87
    while x < 88 {
      let exact = exp(Double(x))
      worst = max(worst, abs(Double(fastExp(x)) - exact) / exact)
      x += 0.001_37
    }
    XCTAssertLessThan(worst, 2.5e-7)
  }

  func testUnderflowsToZeroAndSaturates() {
    XCTAssertEqual(fastExp(-.infinity), 0)
    XCTAssertEqual(fastExp(-100), 0)
    XCTAssertEqual(fastExp(0), 1)
    XCTAssertEqual(Double(fastExp(1000)), exp(88), accuracy: exp(88) * 1e-6)
  }
}
