import Tensor
import XCTest

/// Forward values of the core ops against hand-computed results.
final class TensorOpsTests: XCTestCase {
  func testLinearMatchesHandComputation() {
    let x = Tensor(shape: [1, 2], data: [1, 2])
    let w = Tensor(shape: [3, 2], data: [1, 0, 0, 1, 1, 1])
    let b = Tensor(shape: [3], data: [0.5, -0.5, 0])
    XCTAssertEqual(x.linear(w, b).data, [1.5, 1.5, 3])
  }

  func testBatchedMatmul() {
    let a = Tensor(shape: [2, 1, 2], data: [1, 2, 3, 4])
    let b = Tensor(shape: [2, 2, 1], data: [1, 1, 2, 0])
    let c = a.matmul(b)
    XCTAssertEqual(c.shape, [2, 1, 1])
    XCTAssertEqual(c.data, [3, 6])
    XCTAssertEqual(
      a.matmul(b, transposeSelf: true, transposeOther: true).data, [1, 1, 2, 2, 6, 0, 8, 0])
  }

  func testPermutationMovesElements() {
    let x = Tensor(shape: [2, 3], data: [0, 1, 2, 3, 4, 5])
    XCTAssertEqual(x.permuted([1, 0]).data, [0, 3, 1, 4, 2, 5])
    let y = Tensor(shape: [2, 2, 2], data: (0..<8).map(Float.init))
    XCTAssertEqual(y.permuted([1, 0, 2]).data, [0, 1, 4, 5, 2, 3, 6, 7])
  }

  func testSoftmaxAndCrossEntropy() {
    let x = Tensor(shape: [1, 2], data: [0, 0])
    XCTAssertEqual(x.softmax().data, [0.5, 0.5])
    XCTAssertEqual(x.crossEntropySum(targets: [1]).item, Float(0.693_147_2), accuracy: 1e-6)
    XCTAssertEqual(x.crossEntropySum(targets: [1], ignoreIndex: 1).item, 0)
  }

  func testActivationValues() {
    XCTAssertEqual(Activation.silu.apply(1), 0.731_058_6, accuracy: 1e-6)
    XCTAssertEqual(Activation.gelu.apply(1), 0.841_344_7, accuracy: 1e-6)
    XCTAssertEqual(Activation.relu2.apply(-1), 0)
    XCTAssertEqual(Activation.relu2.apply(3), 9)
    XCTAssertEqual(Activation.laplace.apply(0.707107), 0.5, accuracy: 1e-6)
    XCTAssertEqual(Activation(name: "swish"), .silu)
  }

  func testGradientsAccumulateOverUses() {
    let x = Tensor(shape: [2], data: [1, 2], requiresGrad: true)
    (x * x + x).sum().backward()
    XCTAssertEqual(x.grad!, [3, 5])
  }

  func testNoGraphWithoutGrad() {
    let x = Tensor(shape: [2], data: [1, 2], requiresGrad: true)
    let y = GradMode.withoutGrad { x.scaled(2) }
    XCTAssertFalse(y.requiresGrad)
  }

  func testSplitMix64IsDeterministic() {
    var a = SplitMix64(seed: 42)
    var b = SplitMix64(seed: 42)
    XCTAssertEqual((0..<5).map { _ in a.next() }, (0..<5).map { _ in b.next() })
    var c = SplitMix64(seed: 0)
    XCTAssertEqual(c.next(), 0xE220_A839_7B1D_CDAF)
  }
}
