import Tensor
import XCTest

/// `backward(onLeafGradient:)`: each leaf is reported once, as soon as its gradient is complete.
final class BackwardHookTests: XCTestCase {
  func testLeavesReportedOnceWithFinalGradientLastLayerFirst() {
    let x = Tensor(shape: [2, 3], data: [0.5, -1, 2, 1.5, 0.25, -0.5])
    let w1 = Tensor(
      shape: [4, 3], data: (0..<12).map { Float($0) * 0.1 - 0.5 }, requiresGrad: true)
    let b1 = Tensor(shape: [4], data: [0.1, -0.2, 0.3, 0], requiresGrad: true)
    let w2 = Tensor(
      shape: [2, 4], data: (0..<8).map { Float($0) * -0.2 + 0.7 }, requiresGrad: true)
    let unused = Tensor(shape: [3], data: [1, 2, 3], requiresGrad: true)
    // w1 is used twice (second time after the first layer), so its gradient completes last.
    let h = x.linear(w1, b1).activated(.silu)
    let y = h.linear(w2) * h.slice(lastDim: 0..<2) + x.linear(w1).slice(lastDim: 1..<3)
    let loss = y.sum()

    var reported: [(name: String, grad: [Float]?)] = []
    let names = [
      ObjectIdentifier(w1): "w1", ObjectIdentifier(b1): "b1", ObjectIdentifier(w2): "w2",
    ]
    loss.backward { leaf in reported.append((names[ObjectIdentifier(leaf)] ?? "?", leaf.grad)) }

    XCTAssertEqual(reported.map(\.name).sorted(), ["b1", "w1", "w2"])
    XCTAssertEqual(reported.first?.name, "w2", "the last layer's weight completes first")
    for r in reported {
      let leaf = [w1, b1, w2][["w1", "b1", "w2"].firstIndex(of: r.name)!]
      XCTAssertEqual(r.grad, leaf.grad, "\(r.name) reported before its gradient was complete")
    }
    XCTAssertNil(unused.grad)

    // Same gradients as a backward without the hook.
    let saved = [w1.grad!, b1.grad!, w2.grad!]
    for p in [w1, b1, w2] { p.grad = nil }
    let h2 = x.linear(w1, b1).activated(.silu)
    (h2.linear(w2) * h2.slice(lastDim: 0..<2) + x.linear(w1).slice(lastDim: 1..<3)).sum().backward()
    XCTAssertEqual([w1.grad!, b1.grad!, w2.grad!], saved)
  }

  func testLeafRootIsReported() {
    let a = Tensor(shape: [2], data: [1, 2], requiresGrad: true)
    var count = 0
    a.backward { _ in count += 1 }
    XCTAssertEqual(count, 1)
    XCTAssertEqual(a.grad!, [1, 1])
  }
}
