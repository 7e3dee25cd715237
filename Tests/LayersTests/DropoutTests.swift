import Tensor
import XCTest

@testable import Layers

final class DropoutTests: XCTestCase {
  /// The scales of elements `0..<n` of `draw`.
  private func mask(_ draw: DropoutDraw, _ n: Int) -> [Float] { (0..<n).map(draw.scale) }

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

  /// Each call's mask is the `DropoutDraw` of the next key of the stream's generator.
  func testMasksFollowTheStreamsKeys() {
    DropoutStream.position = 7
    let (p, seed): (Float, UInt64) = (0.1, 42)
    let dropout = Dropout(p, seed: seed)
    dropout.training = true
    var keys = SplitMix64(seed: seed ^ (7 &* 0x9E37_79B9_7F4A_7C15))
    for count in [5000, 333] {
      let ones = Tensor(shape: [count], data: .init(repeating: 1, count: count))
      XCTAssertEqual(dropout(ones).data, mask(DropoutDraw(p: p, key: keys.next()), count))
    }
    DropoutStream.position = 0
  }

  /// Over 2²⁰ elements the drop rate is p within 5σ, neighbours are dropped independently (pairs
  /// at rate p²), and the masks of two keys whose upper halves differ by one bit agree as often as
  /// independent masks would at shifts 0, 1, 2 (neither equal nor shifted copies); every scale is
  /// 0 or 1/(1−p).
  func testDrawIsUniformAndIndependent() {
    let n = 1 << 20
    for p: Float in [0.1, 0.5] {
      let key: UInt64 = 0x1234_5678_9ABC_DEF0
      let drawn = mask(DropoutDraw(p: p, key: key), n)
      let dropped = drawn.map { $0 == 0 }
      let sigma = (Double(p) * Double(1 - p) / Double(n)).squareRoot()
      let rate = Double(dropped.filter { $0 }.count) / Double(n)
      XCTAssertEqual(rate, Double(p), accuracy: 5 * sigma)
      let pairs = Double((1..<n).filter { dropped[$0] && dropped[$0 - 1] }.count) / Double(n - 1)
      XCTAssertEqual(pairs, Double(p * p), accuracy: 5 * sigma)
      let agree = Double(p * p + (1 - p) * (1 - p))
      let second = mask(DropoutDraw(p: p, key: key ^ (1 << 32)), n + 2)
      for shift in 0...2 {
        let same = (0..<n).filter { (second[$0 + shift] == 0) == dropped[$0] }.count
        XCTAssertEqual(Double(same) / Double(n), agree, accuracy: 10 * sigma)
      }
      XCTAssertTrue(drawn.allSatisfy { $0 == 0 || $0 == 1 / (1 - p) })
    }
  }
}
