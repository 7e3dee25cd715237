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

  /// Element i is dropped exactly when the i-th `uniform()` of the stream's generator is below p,
  /// and consecutive calls continue the stream.
  func testMasksFollowTheGeneratorsUniformDraws() {
    DropoutStream.position = 7
    let (p, seed): (Float, UInt64) = (0.1, 42)
    let dropout = Dropout(p, seed: seed)
    dropout.training = true
    var reference = SplitMix64(seed: seed ^ (7 &* 0x9E37_79B9_7F4A_7C15))
    for count in [5000, 333] {
      let expected = (0..<count).map { _ in reference.uniform() < Double(p) ? 0 : 1 / (1 - p) }
      XCTAssertEqual(dropout.scales(count: count), expected)
    }
    DropoutStream.position = 0
  }
}
