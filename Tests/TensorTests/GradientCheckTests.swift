import Tensor
import TestSupport
import XCTest

/// Every op of the core, checked against central finite differences.
final class GradientCheckTests: XCTestCase {
  private var rng = SplitMix64(seed: 11)

  private func input(_ shape: [Int], std: Float = 1) -> Tensor {
    Tensor.randn(shape, std: std, rng: &rng, requiresGrad: true)
  }

  private func assertGradient(
    _ inputs: [Tensor], tolerance: Float = 2e-2, file: StaticString = #filePath, line: UInt = #line,
    _ f: @escaping ([Tensor]) -> Tensor
  ) {
    let err = GradientCheck.maxRelativeError(inputs: inputs, f)
    XCTAssertLessThan(err, tolerance, file: file, line: line)
  }

  func testLinear() {
    assertGradient([input([3, 4, 5]), input([6, 5]), input([6])]) { $0[0].linear($0[1], $0[2]) }
    assertGradient([input([7, 5]), input([2, 5])]) { $0[0].linear($0[1]) }
  }

  func testMatmulAllTranspositions() {
    for ta in [false, true] {
      for tb in [false, true] {
        let a = input(ta ? [2, 4, 3] : [2, 3, 4])
        let b = input(tb ? [2, 5, 4] : [2, 4, 5])
        assertGradient([a, b]) { $0[0].matmul($0[1], transposeSelf: ta, transposeOther: tb) }
      }
    }
  }

  func testElementwise() {
    assertGradient([input([4, 3]), input([4, 3])]) { $0[0] + $0[1] }
    assertGradient([input([4, 3]), input([4, 3])]) { $0[0] - $0[1] }
    assertGradient([input([4, 3]), input([4, 3])]) { $0[0] * $0[1] }
    assertGradient([input([4, 3])]) { $0[0].scaled(-2.5).shifted(0.5) }
    assertGradient([input([2, 3])]) { $0[0].masked(by: [1, 0, 1, 1, 0, 1]) }
    assertGradient([input([4, 3]), input([4, 3]), input([4, 3])]) {
      Tensor.interpolated(from: $0[0], to: $0[1], weight: $0[2])
    }
    assertGradient([input([4, 3]), input([3])]) { $0[0].addingRow($0[1]) }
    assertGradient([input([4, 3]), input([3])]) { $0[0].multiplyingRow($0[1]) }
    assertGradient([input([4, 3]), input([1])]) { $0[0].multiplyingScalar($0[1]) }
  }

  func testActivations() {
    for f in Activation.allCases {
      // Keep inputs away from the kinks of relu and relu2 so finite differences are meaningful.
      let x = input([5, 6])
      for i in 0..<x.count where abs(x.data[i]) < 0.05 { x.data[i] += 0.2 }
      assertGradient([x]) { $0[0].activated(f) }
    }
  }

  /// The fused slice-and-activate of packed projections: values equal slicing then activating,
  /// and the gradients of several column ranges of one input add up in it.
  func testActivatedColumns() {
    let x = input([3, 2, 7])
    for i in 0..<x.count where abs(x.data[i]) < 0.05 { x.data[i] += 0.2 }
    for f in Activation.allCases {
      XCTAssertEqual(
        x.activated(f, lastDim: 2..<6).data, x.slice(lastDim: 2..<6).activated(f).data)
      assertGradient([x]) {
        $0[0].activated(f, lastDim: 0..<3) * $0[0].activated(.silu, lastDim: 4..<7)
          + $0[0].activated(f, lastDim: 1..<4)
      }
    }
    assertGradient([x]) { $0[0].activated(.gelu, lastDim: 0..<7) }
  }

  /// Activation and dropout in one op: the values are the activation times the draw's mask
  /// (also across the 4096-element blocks of a whole buffer), and the gradient checks.
  func testActivatedWithDropout() {
    let draw = DropoutDraw(p: 0.3, key: 77)
    let x = input([3, 2, 7])
    let y = x.activated(.silu, lastDim: 2..<6, dropout: draw)
    XCTAssertEqual(
      y.data, x.activated(.silu, lastDim: 2..<6).masked(by: (0..<24).map(draw.scale)).data)
    assertGradient([x]) { $0[0].activated(.silu, lastDim: 2..<6, dropout: draw) }
    assertGradient([x]) { $0[0].activated(.linear, lastDim: 0..<7, dropout: draw) }
    let big = input([5000])
    let dropped = big.activated(.gelu, lastDim: 0..<5000, dropout: draw)
    XCTAssertEqual(dropped.data, big.activated(.gelu).masked(by: (0..<5000).map(draw.scale)).data)
    (dropped * big).sum().backward()
    let slope = big.data.map { Activation.gelu.derivative($0) }
    let mask = (0..<5000).map(draw.scale)
    for i in [0, 4095, 4096, 4999] {
      XCTAssertEqual(
        big.grad![i], big.data[i] * slope[i] * mask[i] + dropped.data[i], accuracy: 1e-5)
    }
  }

  func testShapeOps() {
    assertGradient([input([2, 3, 4])]) { $0[0].reshaped([6, -1]) }
    assertGradient([input([2, 3, 4])]) { $0[0].permuted([2, 0, 1]) }
    assertGradient([input([2, 3, 4])]) { $0[0].slice(lastDim: 1..<3) }
    assertGradient([input([3, 4])]) { $0[0].slice(firstDim: 1..<3) }
    assertGradient([input([2, 3]), input([2, 2])]) { Tensor.concat(lastDim: [$0[1], $0[0]]) }
    assertGradient([input([2, 5])]) {
      let p = $0[0].split(lastDim: [2, 3])
      return p[0] * p[0].scaled(2) + p[1].slice(lastDim: 0..<2)
    }
  }

  func testReductionsAndSoftmax() {
    assertGradient([input([3, 4])]) { $0[0].sum() }
    assertGradient([input([3, 4])]) { $0[0].sumLastDim() }
    assertGradient([input([3, 6])]) { $0[0].softmax() }
    assertGradient([input([3, 6])]) { $0[0].logSoftmax() }
    assertGradient([input([4, 5])]) {
      $0[0].crossEntropySum(targets: [0, 4, 1, 2], ignoreIndex: 1)
    }
  }

  func testGatherRows() {
    assertGradient([input([5, 3])]) { $0[0].gatherRows([4, 0, 4, 2], shape: [2, 2]) }
  }
}
