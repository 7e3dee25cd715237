import Tensor
import TestSupport
import XCTest

@testable import Layers

final class MegaLayerTests: XCTestCase {
  private func perturb(_ m: Module, rng: inout SplitMix64) {
    for p in m.parameters {
      for i in 0..<p.tensor.count { p.tensor.data[i] += Float(rng.normal()) * 0.3 }
    }
  }

  /// The worst per-input error, each input at the better of two steps (see GatedAttentionTests).
  private func gradientError(_ inputs: [Tensor], _ f: () throws -> Tensor) throws -> Float {
    var err: Float = 0
    for t in inputs {
      var best = Float.infinity
      for h in [Float(3e-2), 1e-2] {
        best = min(best, try GradientCheck.maxRelativeError(inputs: [t], step: h) { _ in try f() })
      }
      err = max(err, best)
    }
    return err
  }

  private func attentionConfig(_ function: AttentionFunction, prenorm: Bool) -> GatedAttentionConfig
  {
    GatedAttentionConfig(
      embedDim: 4, zdim: 4, hdim: 6, ndim: 2, chunkSize: 4, truncation: 5, bidirectional: true,
      activation: .silu, attentionFunction: function, normType: .layernorm, prenorm: prenorm,
      relativePosition: .simple, maxPositions: 8)
  }

  func testNormalizedFFNGradientsAndNames() throws {
    for (prenorm, norm, act) in [
      (true, NormType.layernorm, Activation.silu), (false, .scalenorm, .gelu),
    ] {
      var rng = SplitMix64(seed: 31)
      let ffn = NormalizedFFN(
        embedDim: 4, hiddenDim: 6, activation: act, normType: norm, prenorm: prenorm, rng: &rng)
      perturb(ffn, rng: &rng)
      XCTAssertEqual(
        ffn.parameters.map(\.name).suffix(4), ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
      let x = Tensor.randn([5, 2, 4], rng: &rng, requiresGrad: true)
      let err = try gradientError([x] + ffn.parameters.map(\.tensor)) {
        try ffn(x, .evaluation())
      }
      XCTAssertLessThan(err, 2e-2, "prenorm \(prenorm)")
    }
  }

  func testEncoderLayerGradientsAndNames() throws {
    var rng = SplitMix64(seed: 32)
    let layer = MegaLayer(
      attention: attentionConfig(.softmax, prenorm: false), ffnHiddenDim: 6, causal: false,
      rng: &rng)
    perturb(layer, rng: &rng)
    XCTAssertTrue(layer.stateDict.map(\.name).contains("mega_layer.move.delta"))
    XCTAssertTrue(layer.stateDict.map(\.name).contains("nffn.norm.norm.weight"))
    XCTAssertEqual(layer.megaLayer.move.delta.shape[0], 8)
    let x = Tensor.randn([8, 2, 4], rng: &rng, requiresGrad: true)
    let pad: [Bool] = (0..<16).map { $0 >= 13 }
    let err = try gradientError([x] + layer.parameters.map(\.tensor)) {
      try layer(x, paddingMask: pad, .evaluation())
    }
    XCTAssertLessThan(err, 3e-2)
  }

  func testDecoderLayerIsCausal() throws {
    var rng = SplitMix64(seed: 33)
    let layer = MegaLayer(
      attention: attentionConfig(.relu2, prenorm: true), ffnHiddenDim: 6, causal: true,
      rng: &rng)
    perturb(layer, rng: &rng)
    XCTAssertEqual(layer.megaLayer.move.delta.shape[0], 4)
    let x = Tensor.randn([8, 1, 4], rng: &rng, requiresGrad: true)
    let y = try layer(x, .evaluation())
    // Changing position 5 leaves positions 0..4 unchanged.
    var changed = x.data
    for c in 0..<4 { changed[5 * 4 + c] += 1 }
    let y2 = try layer(Tensor(shape: x.shape, data: changed), .evaluation())
    for i in 0..<20 { XCTAssertEqual(y.data[i], y2.data[i], accuracy: 1e-6) }
    XCTAssertNotEqual(y.data[20], y2.data[20])
    let err = try gradientError([x] + layer.parameters.map(\.tensor)) {
      try layer(x, .evaluation())
    }
    XCTAssertLessThan(err, 3e-2)
  }
}
