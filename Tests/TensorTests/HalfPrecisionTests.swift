import Tensor
import TestSupport
import XCTest

/// Half precision follows the tensors (`TensorPrecision.swift`): ops that read a half leaf give
/// half outputs and half gradients; the loss is a float32 island; ops on float tensors are float.
final class HalfPrecisionTests: XCTestCase {
  private func isHalf(_ values: [Float]) -> Bool {
    values.allSatisfy { $0.isNaN || HalfRounding.round($0) == $0 }
  }

  private func inputs() -> (x: Tensor, w: Tensor, b: Tensor) {
    var rng = SplitMix64(seed: 11)
    let x = Tensor(
      shape: [3, 4, 5], data: (0..<60).map { _ in Float(rng.normal()) }, requiresGrad: true)
    let w = Tensor(
      shape: [6, 5], data: (0..<30).map { _ in Float(rng.normal()) }, requiresGrad: true)
    let b = Tensor(shape: [6], data: (0..<6).map { _ in Float(rng.normal()) }, requiresGrad: true)
    return (x, w, b)
  }

  func testOpOutputsAndEveryGradientAreHalf() {
    let (x, w, b) = inputs()
    for leaf in [x, w, b] { leaf.convertToHalf() }
    var arriving: [[Float]] = []
    let (outputs, loss): ([Tensor], Tensor) = {
      let h = x.linear(w, b).activated(.gelu)
      // An identity op that records the gradient reaching it.
      let probe = Tensor.op(shape: h.shape, data: h.data, parents: [h]) { out in
        arriving.append(out.grad!)
        out.grad!.withUnsafeBufferPointer { h.accumulateGrad($0) }
      }
      let s = (probe * probe).softmax().permuted([1, 0, 2]).reshaped([4, 18])
      let y = Tensor.concat(lastDim: [s, s.slice(lastDim: 2..<7).scaled(3.3)]).sumLastDim()
      let loss = y.dot((0..<4).map { Float($0) * 0.37 + 0.1 })
      loss.backward()
      return ([h, probe, s, y, loss], loss)
    }()
    for (i, t) in outputs.enumerated() {
      XCTAssertTrue(isHalf(t.data), "output \(i) is not half")
    }
    XCTAssertEqual(arriving.count, 1)
    XCTAssertTrue(isHalf(arriving[0]), "the gradient reaching an op output")
    for (name, leaf) in [("x", x), ("w", w), ("b", b)] {
      XCTAssertTrue(isHalf(leaf.gradOrZeros), "gradient of \(name)")
    }
    // The same graph in float32 differs, but only by fp16 rounding.
    let (x2, w2, b2) = inputs()
    let h2 = x2.linear(w2, b2).activated(.gelu)
    let s2 = (h2 * h2).softmax().permuted([1, 0, 2]).reshaped([4, 18])
    let y2 = Tensor.concat(lastDim: [s2, s2.slice(lastDim: 2..<7).scaled(3.3)]).sumLastDim()
    let loss2 = y2.dot((0..<4).map { Float($0) * 0.37 + 0.1 })
    XCTAssertNotEqual(loss.item, loss2.item)
    XCTAssertEqual(loss.item, loss2.item, accuracy: 1e-2 * abs(loss2.item))
  }

  func testAnActivationAbove65504OverflowsToInfinity() {
    let x = Tensor(shape: [3], data: [300, -300, 200])
    XCTAssertEqual((x * x).data, [90000, 90000, 40000], "float32 on float tensors")
    x.convertToHalf()
    XCTAssertEqual((x * x).data, [.infinity, .infinity, 40000])
  }

  func testTheLossIsAFloat32Island() {
    var rng = SplitMix64(seed: 3)
    let logits = Tensor(
      shape: [40, 7], data: (0..<280).map { _ in Float(rng.normal()) * 4 }, requiresGrad: true)
    let targets = (0..<40).map { $0 % 7 }
    logits.convertToHalf()
    let float = Tensor(shape: logits.shape, data: logits.data)
    let plain = float.crossEntropySum(targets: targets).item
    let scale: Float = 1000
    let loss = logits.crossEntropySum(targets: targets)
    let first = logits.slice(lastDim: 0..<2).crossEntropySum(
      targets: [Int](repeating: 0, count: 40))
    let scaled = (loss + first).scaled(scale)
    scaled.backward()
    XCTAssertEqual(loss.item, plain, "the loss is not rounded")
    XCTAssertFalse(isHalf([plain]), "the test needs a loss that half cannot hold")
    XCTAssertGreaterThan(scaled.item, 65504)
    XCTAssertEqual(scaled.item, (loss.item + first.item) * scale, "float32, not inf")
    let g = logits.gradOrZeros
    XCTAssertTrue(isHalf(g), "the logits' gradient is half")
    XCTAssertTrue(g.allSatisfy(\.isFinite))
    XCTAssertEqual(
      logits.logSoftmax().data, float.logSoftmax().data, "log-softmax is a float32 island")
  }

  func testPrecisionFollowsTheInputsAndConversionIsReversible() {
    let x = Tensor(shape: [2, 3], data: [1.0001, 2, 3, 4, 5, 6])
    let plain = x.reshaped([3, 2])
    XCTAssertEqual(plain.data[0], 1.0001, "ops on float tensors are float")
    XCTAssertEqual(plain.precision, .float)
    let w = Tensor(shape: [2, 3], data: [1.0001, 2, 3, 4, 5, 6])
    w.convertToHalf()
    XCTAssertEqual(w.data[0], 1, "converting rounds the values")
    let mixed = x + w
    XCTAssertEqual(mixed.precision, .half, "one half input makes a half op")
    XCTAssertEqual(mixed.data[0], 2, "2.0001 rounded to half")
    XCTAssertEqual(w.reshaped([3, 2]).precision, .half)
    w.convertToFloat()
    XCTAssertEqual((x + w).data[0], Float(1.0001) + 1, "float again after convertToFloat")
  }

  func testGradientCheckMeaningfulOnlyInFloat() {
    let (x, w, b) = inputs()
    let err = GradientCheck.maxRelativeError(inputs: [x, w, b]) { t in
      t[0].linear(t[1], t[2]).activated(.silu).softmax()
    }
    XCTAssertLessThan(err, 1e-2)
    w.convertToHalf()
    let halfErr = GradientCheck.maxRelativeError(inputs: [x, w, b], step: 1e-3) { t in
      t[0].linear(t[1], t[2]).activated(.silu).softmax()
    }
    XCTAssertGreaterThan(halfErr, 10 * err, "in half, differences are rounding noise")
  }
}
