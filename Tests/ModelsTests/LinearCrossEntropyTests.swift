import Models
import Tensor
import TestSupport
import XCTest

final class LinearCrossEntropyTests: XCTestCase {
  /// The fused op equals cross-entropy over the concatenated logits, ignoring the ignored rows.
  func testMatchesConcatenatedLogits() {
    var rng = SplitMix64(seed: 3)
    let x = Tensor.randn([5, 6], rng: &rng)
    let w0 = Tensor.randn([7, 6], rng: &rng)
    let w1 = Tensor.randn([2, 6], rng: &rng)
    let targets = [0, 8, 1, 4, 7]
    let fused = x.linearCrossEntropySum([w0, w1], targets: targets, ignoreIndex: 1).item
    let plain = Tensor.concat(lastDim: [x.linear(w0), x.linear(w1)])
      .crossEntropySum(targets: targets, ignoreIndex: 1).item
    XCTAssertEqual(fused, plain, accuracy: 1e-4 * abs(plain))
    let ignored = x.linearCrossEntropySum([w0], targets: [1, 1, 1, 1, 1], ignoreIndex: 1)
    XCTAssertEqual(ignored.item, 0)
  }

  func testGradients() {
    var rng = SplitMix64(seed: 4)
    let x = Tensor.randn([4, 5], rng: &rng, requiresGrad: true)
    let w0 = Tensor.randn([6, 5], rng: &rng, requiresGrad: true)
    let w1 = Tensor.randn([3, 5], rng: &rng, requiresGrad: true)
    let err = GradientCheck.maxRelativeError(inputs: [x, w0, w1]) { t in
      t[0].linearCrossEntropySum([t[1], t[2]], targets: [2, 1, 8, 6], ignoreIndex: 1)
        .reshaped([1]).scaled(0.5)
    }
    XCTAssertLessThan(err, 2e-2)
  }

  /// With half weights the loss is a float32 island, as `crossEntropySum`: not rounded to half, so
  /// the scaled loss of fp16 training cannot overflow by itself.
  func testLossIsAFloat32IslandWithHalfWeights() {
    var rng = SplitMix64(seed: 5)
    let x = Tensor.randn([5, 6], rng: &rng)
    let w = Tensor.randn([7, 6], rng: &rng)
    let targets = [0, 3, 6, 2, 5]
    w.convertToHalf()
    let plain = Tensor(shape: w.shape, data: w.data)
    let float = x.linearCrossEntropySum([plain], targets: targets, ignoreIndex: 1).item
    let half = x.linearCrossEntropySum([w], targets: targets, ignoreIndex: 1).item
    XCTAssertNotEqual(Float(Float16(float)), float, "a loss that half cannot hold exactly")
    XCTAssertEqual(half, float)
  }
}
