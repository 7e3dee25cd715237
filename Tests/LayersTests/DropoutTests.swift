import Tensor
import XCTest

@testable import Layers

final class DropoutTests: XCTestCase {
  func testEvalIsIdentityAndTrainScalesKeptElements() {
    let x = Tensor(shape: [1000], data: .init(repeating: 1, count: 1000), requiresGrad: true)
    let dropout = Dropout(0.25, seed: 3)
    XCTAssertTrue(dropout(x) === x)
    dropout.training = true
    let y = dropout(x)
    let kept = y.data.filter { $0 != 0 }
    XCTAssertTrue(kept.allSatisfy { abs($0 - 4 / 3) < 1e-6 })
    XCTAssertEqual(Double(kept.count) / 1000, 0.75, accuracy: 0.05)
    y.sum().backward()
    XCTAssertEqual(x.grad!, y.data)
  }

  func testZeroProbabilityIsIdentityInTrainMode() {
    let x = Tensor(shape: [3], data: [1, 2, 3])
    let dropout = Dropout(0, seed: 1)
    dropout.training = true
    XCTAssertTrue(dropout(x) === x)
  }
}
