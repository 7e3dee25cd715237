import Foundation
import Tensor
import XCTest

/// `fastErf`, `fastErfc` and the laplace attention function built on them, against double
/// precision.
final class FastErfTests: XCTestCase {
  func testErfWithinHalfAMillionth() {
    var worst: Double = 0
    var x: Float = -9
    while x < 9 {
      worst = max(worst, abs(Double(fastErf(x)) - erf(Double(x))))
      x += 0.000_731
    }
    XCTAssertLessThan(worst, 5e-7)
    XCTAssertEqual(fastErf(0), 0, accuracy: 5e-7)
    XCTAssertEqual(fastErf(.infinity), 1)
    XCTAssertEqual(fastErf(-.infinity), -1)
  }

  func testErfcRelativeErrorInTheTail() {
    var worst: Double = 0
    var a: Float = 0
    while a < 9 {
      let exact = erfc(Double(a))
      let (tail, gaussian) = fastErfc(nonNegative: a)
      worst = max(worst, abs(Double(tail) - exact) / exact)
      XCTAssertEqual(Double(gaussian), exp(-Double(a) * Double(a)), accuracy: 1e-6)
      a += 0.000_913
    }
    XCTAssertLessThan(worst, 2e-5)
  }

  func testLaplaceValueAndSlope() {
    let width = 0.282095 * 2.0.squareRoot()
    var x: Float = -3
    while x < 4 {
      let z = (Double(x) - 0.707107) / width
      let (value, slope) = Activation.laplaceWithSlope(x)
      XCTAssertEqual(Double(value), 0.5 * (1 + erf(z)), accuracy: 3e-7)
      XCTAssertEqual(Double(slope), exp(-z * z) / (width * Double.pi.squareRoot()), accuracy: 1e-6)
      x += 0.001_9
    }
  }
}
