import Layers
import Tensor
import TestSupport
import XCTest

final class SeqBoatRouterTests: XCTestCase {
  func testDecisionFollowsLogitsTiesAndPadding() {
    // L = 3, B = 2; token (t, b) at index t·2 + b.
    let logits = Tensor(
      shape: [3, 2, 2], data: [0, 1, 1, 0, 2, 2, 0, 3, -1, 1, 0.5, 0.4])
    let temp = Tensor(shape: [1], data: [0])
    let padding = [false, false, true, false, false, false]
    let (p, d) = Tensor.seqBoatRouter(logits: logits, temp: temp, paddingMask: padding)
    XCTAssertEqual(d.active, [true, false, false, true, false, false])
    XCTAssertEqual(d.activeCount(0), 1)
    XCTAssertEqual(d.activeCount(1), 1)
    XCTAssertEqual(p.data[0], 1 / (1 + expf(-1)), accuracy: 1e-6)
    XCTAssertEqual(p.data[1], 0)
    XCTAssertEqual(d.probs[4] + d.probs[5], 1, accuracy: 1e-6)
  }

  func testActBiasMakesTokensInactive() {
    let logits = Tensor(shape: [1, 1, 2], data: [0, 0.5])
    let temp = Tensor(shape: [1], data: [0])
    XCTAssertTrue(
      Tensor.seqBoatRouter(logits: logits, temp: temp, paddingMask: nil).decision.active[0])
    let biased = Tensor.seqBoatRouter(logits: logits, temp: temp, paddingMask: nil, actBias: 1)
    XCTAssertFalse(biased.decision.active[0])
  }

  func testGradientFlowsOnlyThroughActiveMultiplier() {
    var rng = SplitMix64(seed: 3)
    let logits = Tensor.randn([5, 3, 2], rng: &rng, requiresGrad: true)
    let temp = Tensor(shape: [1], data: [0.4], requiresGrad: true)
    let padding = (0..<15).map { $0 % 4 == 3 }
    let err = GradientCheck.maxRelativeError(inputs: [logits, temp], step: 1e-3) { x in
      Tensor.seqBoatRouter(logits: x[0], temp: x[1], paddingMask: padding).p
    }
    XCTAssertLessThan(err, 2e-2)
    logits.grad = nil
    let (p, d) = Tensor.seqBoatRouter(logits: logits, temp: temp, paddingMask: padding)
    p.sum().backward()
    for i in 0..<15 where !d.active[i] {
      XCTAssertEqual(logits.grad![2 * i], 0)
      XCTAssertEqual(logits.grad![2 * i + 1], 0)
    }
  }
}
