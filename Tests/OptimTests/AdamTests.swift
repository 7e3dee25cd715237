import Foundation
import Optim
import Tensor
import XCTest

/// fairseq `adam` and `radam` against the formulas of MODEL.md §6.3 evaluated in float64.
final class AdamTests: XCTestCase {
  /// One element's float64 reference state.
  struct Ref {
    var theta: Double
    var m = 0.0
    var v = 0.0
    var t = 0
  }

  /// fairseq adam, MODEL.md §6.3, one element.
  static func adamStep(_ r: inout Ref, g: Double, lr: Double, wd: Double, b1: Double, b2: Double) {
    r.t += 1
    r.m = b1 * r.m + (1 - b1) * g
    r.v = b2 * r.v + (1 - b2) * g * g
    r.theta -= lr * wd * r.theta
    let stepSize = lr * (1 - pow(b2, Double(r.t))).squareRoot() / (1 - pow(b1, Double(r.t)))
    r.theta -= stepSize * r.m / (r.v.squareRoot() + 1e-8)
  }

  /// fairseq radam with degenerated_to_sgd, MODEL.md §6.3, one element.
  static func radamStep(_ r: inout Ref, g: Double, lr: Double, wd: Double, b1: Double, b2: Double) {
    r.t += 1
    r.m = b1 * r.m + (1 - b1) * g
    r.v = b2 * r.v + (1 - b2) * g * g
    let t = Double(r.t)
    let rhoInf = 2 / (1 - b2) - 1
    let rho = rhoInf - 2 * t * pow(b2, t) / (1 - pow(b2, t))
    r.theta *= 1 - lr * wd
    if rho >= 5 {
      let a = (1 - pow(b2, t)) * (rho - 4) / (rhoInf - 4) * (rho - 2) / rho * rhoInf / (rhoInf - 2)
      r.theta -= lr * a.squareRoot() / (1 - pow(b1, t)) * r.m / (r.v.squareRoot() + 1e-8)
    } else {
      r.theta -= lr / (1 - pow(b1, t)) * r.m
    }
  }

  /// A deterministic gradient for element `i` at update `k`.
  static func grad(_ k: Int, _ i: Int) -> Double { sin(Double(3 * k + 7 * i + 1)) * 0.5 }

  /// Runs `steps` updates of `opt` on parameters "a" (3 elements) and "b" (2 elements); "b" gets no
  /// gradient at the updates in `bSkips`. Returns the parameters and the float64 references.
  func run(
    _ opt: Optimizer, steps: Int, bSkips: Set<Int>, lrs: [Double],
    reference: (inout Ref, Double, Double) -> Void
  ) throws -> (a: Tensor, b: Tensor, refA: [Ref], refB: [Ref]) {
    let a = Tensor(shape: [3], data: [0.5, -1.25, 2], requiresGrad: true)
    let b = Tensor(shape: [2], data: [-0.75, 0.3], requiresGrad: true)
    var refA = a.data.map { Ref(theta: Double($0)) }
    var refB = b.data.map { Ref(theta: Double($0)) }
    for k in 1...steps {
      a.grad = (0..<3).map { Float(Self.grad(k, $0)) }
      b.grad = bSkips.contains(k) ? nil : (0..<2).map { Float(Self.grad(k, $0 + 3)) }
      let lr = lrs[k - 1]
      for i in 0..<3 { reference(&refA[i], Double(a.grad![i]), lr) }
      if b.grad != nil { for i in 0..<2 { reference(&refB[i], Double(b.grad![i]), lr) } }
      try opt.step([(name: "a", tensor: a), (name: "b", tensor: b)], lr: lr)
    }
    return (a, b, refA, refB)
  }

  func assertClose(
    _ got: [Float], _ want: [Ref], file: StaticString = #filePath, line: UInt = #line
  ) {
    for (x, r) in zip(got, want) {
      XCTAssertEqual(
        Double(x), r.theta, accuracy: 2e-6 * max(1, abs(r.theta)), file: file, line: line)
    }
  }

  func testAdamMatchesFairseqFormula() throws {
    let opt = Adam(betas: (0.9, 0.98), eps: 1e-8, weightDecay: 0.01)
    let lrs = [1e-3, 2e-3, 3e-3, 4e-3, 5e-3, 4e-3]
    let r = try run(opt, steps: 6, bSkips: [], lrs: lrs) {
      Self.adamStep(&$0, g: $1, lr: $2, wd: 0.01, b1: 0.9, b2: 0.98)
    }
    assertClose(r.a.data, r.refA)
    assertClose(r.b.data, r.refB)
    XCTAssertEqual(opt.state["a"]?.step, 6)
  }

  func testAdamFirstStepByHand() throws {
    // t = 1: m = 0.1 g, v = 0.02 g², step = lr·√0.02/0.1; θ' = θ(1 − lr·wd) − step·m/(√v + ε).
    let p = Tensor(shape: [1], data: [2], requiresGrad: true)
    p.grad = [0.5]
    try Adam(betas: (0.9, 0.98), weightDecay: 0.1).step([(name: "p", tensor: p)], lr: 0.01)
    let m = 0.05
    let v = 0.02 * 0.25
    let want = 2 * (1 - 0.001) - 0.01 * 0.02.squareRoot() / 0.1 * m / (v.squareRoot() + 1e-8)
    XCTAssertEqual(Double(p.data[0]), want, accuracy: 1e-7)
  }

  func testParameterWithoutGradientIsSkipped() throws {
    let opt = Adam(betas: (0.9, 0.98), weightDecay: 0.05)
    let lrs = [1e-2, 1e-2, 1e-2, 1e-2, 1e-2]
    let r = try run(opt, steps: 5, bSkips: [1, 3], lrs: lrs) {
      Self.adamStep(&$0, g: $1, lr: $2, wd: 0.05, b1: 0.9, b2: 0.98)
    }
    assertClose(r.a.data, r.refA)
    assertClose(r.b.data, r.refB)
    XCTAssertEqual(opt.state["a"]?.step, 5)
    XCTAssertEqual(opt.state["b"]?.step, 3, "b took part in updates 2, 4, 5 only")
  }

  func testNeverUpdatedParameterKeepsValueAndHasNoState() throws {
    let p = Tensor(shape: [2], data: [1, 2], requiresGrad: true)
    let opt = Adam(betas: (0.9, 0.98), weightDecay: 0.5)
    try opt.step([(name: "p", tensor: p)], lr: 1)
    XCTAssertEqual(p.data, [1, 2])
    XCTAssertNil(opt.state["p"])
  }

  func testRAdamMomentumThenRectified() throws {
    let opt = RAdam(betas: (0.9, 0.98), eps: 1e-8, weightDecay: 0.1)
    for t in 1...5 {
      guard case .momentum = opt.update(step: t) else { return XCTFail("t=\(t) should be SGD") }
    }
    guard case .adaptive = opt.update(step: 6) else { return XCTFail("t=6 should be adaptive") }
    let lrs = (1...9).map { 1e-3 * Double($0) }
    let r = try run(opt, steps: 9, bSkips: [2], lrs: lrs) {
      Self.radamStep(&$0, g: $1, lr: $2, wd: 0.1, b1: 0.9, b2: 0.98)
    }
    assertClose(r.a.data, r.refA)
    assertClose(r.b.data, r.refB)
  }

  func testRAdamWithoutSGDFallbackLeavesEarlyStepsAlone() throws {
    let opt = RAdam(betas: (0.9, 0.98), weightDecay: 0.1, degeneratedToSGD: false)
    let p = Tensor(shape: [1], data: [3], requiresGrad: true)
    p.grad = [1]
    try opt.step([(name: "p", tensor: p)], lr: 0.1)
    XCTAssertEqual(p.data, [3])
    XCTAssertEqual(opt.state["p"]?.step, 1)
    XCTAssertEqual(Double(opt.state["p"]!.expAvg[0]), 0.1, accuracy: 1e-7)
  }

  func testStateRestoreContinuesTrajectory() throws {
    let lrs = [1e-2, 2e-2, 3e-2, 4e-2]
    let whole = Adam(betas: (0.9, 0.98), weightDecay: 0.01)
    let full = try run(whole, steps: 4, bSkips: [3], lrs: lrs) { _, _, _ in }

    let first = Adam(betas: (0.9, 0.98), weightDecay: 0.01)
    let a = Tensor(shape: [3], data: [0.5, -1.25, 2], requiresGrad: true)
    let b = Tensor(shape: [2], data: [-0.75, 0.3], requiresGrad: true)
    var second: Adam? = nil
    for k in 1...4 {
      a.grad = (0..<3).map { Float(Self.grad(k, $0)) }
      b.grad = k == 3 ? nil : (0..<2).map { Float(Self.grad(k, $0 + 3)) }
      if k == 3 {
        second = Adam(betas: (0.9, 0.98), weightDecay: 0.01)
        second!.state = first.state
      }
      try (second ?? first).step([(name: "a", tensor: a), (name: "b", tensor: b)], lr: lrs[k - 1])
    }
    XCTAssertEqual(a.data, full.a.data)
    XCTAssertEqual(b.data, full.b.data)
    XCTAssertEqual(second!.state, whole.state)
  }

  func testRestoredStateOfWrongSizeThrows() {
    let opt = Adam()
    opt.state["p"] = MomentState(count: 3)
    let p = Tensor(shape: [2], data: [1, 2], requiresGrad: true)
    p.grad = [1, 1]
    XCTAssertThrowsError(try opt.step([(name: "p", tensor: p)], lr: 1)) {
      XCTAssertEqual(
        "\($0)", "optimizer state of parameter 'p' has 3 values, the parameter has 2")
    }
  }
}
