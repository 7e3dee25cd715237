import Optim
import Tensor
import XCTest

/// Clipping by the global L2 norm (MODEL.md §6.2).
final class GradientClippingTests: XCTestCase {
  func testClipsByGlobalNormAndReturnsNormBeforeClipping() {
    let a = Tensor(shape: [2], data: [0, 0], requiresGrad: true)
    let b = Tensor(shape: [1], data: [0], requiresGrad: true)
    let unused = Tensor(shape: [1], data: [0], requiresGrad: true)
    a.grad = [3, 4]
    b.grad = [12]
    let g = clipGradientNorm([a, b, unused], maxNorm: 1)
    XCTAssertEqual(g, 13, accuracy: 1e-12)
    let c = 1 / (13 + 1e-6)
    XCTAssertEqual(Double(a.grad![0]), 3 * c, accuracy: 1e-7)
    XCTAssertEqual(Double(a.grad![1]), 4 * c, accuracy: 1e-7)
    XCTAssertEqual(Double(b.grad![0]), 12 * c, accuracy: 1e-7)
    XCTAssertNil(unused.grad)
  }

  func testSmallNormIsLeftAlone() {
    let a = Tensor(shape: [2], data: [0, 0], requiresGrad: true)
    a.grad = [0.3, 0.4]
    XCTAssertEqual(clipGradientNorm([a], maxNorm: 1), 0.5, accuracy: 1e-7)
    XCTAssertEqual(a.grad!, [0.3, 0.4])
  }

  func testZeroMaxNormOnlyMeasures() {
    let a = Tensor(shape: [2], data: [0, 0], requiresGrad: true)
    a.grad = [30, 40]
    XCTAssertEqual(clipGradientNorm([a], maxNorm: 0), 50, accuracy: 1e-9)
    XCTAssertEqual(a.grad!, [30, 40])
  }
}
