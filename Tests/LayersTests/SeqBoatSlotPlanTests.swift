import Layers
import Tensor
import TestSupport
import XCTest

final class SeqBoatSlotPlanTests: XCTestCase {
  /// A decision with the given active pattern per sequence (`active[b][t]`).
  func decision(_ active: [[Bool]]) -> RouterDecision {
    let (bsz, len) = (active.count, active[0].count)
    var flat = [Bool](repeating: false, count: bsz * len)
    for b in 0..<bsz { for t in 0..<len { flat[t * bsz + b] = active[b][t] } }
    return RouterDecision(
      length: len, batch: bsz, probs: [Float](repeating: 0.5, count: 2 * bsz * len), active: flat)
  }

  func testCompressedSlotsKeepOrder() {
    let d = decision([[false, true, true, false], [true, false, false, false]])
    let plan = SlotPlan(decision: d, compress: d.maxActiveCount < 4)
    XCTAssertTrue(plan.compressed)
    XCTAssertEqual(plan.slots, 2)
    XCTAssertEqual(plan.valid, [true, true, true, false])
    XCTAssertEqual(plan.position, [2, 3, 1, 0])
    XCTAssertEqual(plan.slotOfToken, [-1, 0, 0, -1, 1, -1, -1, -1])
  }

  func testFullyActiveSequenceDisablesCompression() {
    let d = decision([[true, true, true], [false, true, false]])
    let plan = SlotPlan(decision: d, compress: d.maxActiveCount < 3)
    XCTAssertFalse(plan.compressed)
    XCTAssertEqual(plan.slots, 3)
    XCTAssertEqual(plan.valid, [true, true, true, false, true, false])
    XCTAssertEqual(plan.position, [1, 2, 3, 1, 2, 3])
    // Inactive tokens keep their slot (their values reach windowed laplace attention).
    XCTAssertEqual(plan.slotOfToken, [0, 0, 1, 1, 2, 2])
  }

  func testGlobalDecisionOverridesLocal() {
    let d = decision([[true, false, true]])
    let plan = SlotPlan(decision: d, compress: false)
    XCTAssertFalse(plan.compressed)
    XCTAssertEqual(plan.slots, 3)
  }

  func testNoActiveTokenGivesOneEmptySlot() {
    let d = decision([[false, false], [false, false]])
    let plan = SlotPlan(decision: d, compress: true)
    XCTAssertTrue(plan.compressed)
    XCTAssertEqual(plan.slots, 1)
    XCTAssertEqual(plan.valid, [false, false])
    XCTAssertFalse(plan.anyActive)
  }

  func testCompressExtractRoundTripAndGradients() {
    let d = decision([[false, true, true, false, true], [true, false, false, true, false]])
    let plan = SlotPlan(decision: d, compress: d.maxActiveCount < 5)
    var rng = SplitMix64(seed: 11)
    let x = Tensor.randn([5, 2, 3], rng: &rng, requiresGrad: true)
    let ones = Tensor.full([5, 2], 1)
    let back = x.compressed(by: plan).extracted(by: plan, scale: ones)
    for i in 0..<10 {
      for c in 0..<3 {
        XCTAssertEqual(back.data[i * 3 + c], plan.slotOfToken[i] >= 0 ? x.data[i * 3 + c] : 0)
      }
    }
    let p = Tensor.randn([5, 2], rng: &rng, requiresGrad: true)
    let err = GradientCheck.maxRelativeError(inputs: [x, p]) { t in
      t[0].compressed(by: plan).scaled(1.5).extracted(by: plan, scale: t[1])
    }
    XCTAssertLessThan(err, 1e-2)
  }
}
