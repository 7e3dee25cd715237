import Tensor
import TestSupport
import XCTest

@testable import Layers

final class GatedAttentionTests: XCTestCase {
  private func layer(
    _ function: AttentionFunction, chunk: Int, prenorm: Bool, norm: NormType,
    position: RelativePositionKind, bidirectional: Bool
  ) -> GatedAttention {
    var rng = SplitMix64(seed: 21)
    let config = GatedAttentionConfig(
      embedDim: 4, zdim: 4, hdim: 6, ndim: 2, chunkSize: chunk, truncation: nil,
      bidirectional: bidirectional, activation: .silu, attentionFunction: function,
      normType: norm, prenorm: prenorm, relativePosition: position, maxPositions: 16)
    let m = GatedAttention(config, rng: &rng)
    // Larger weights than the reference init so every path carries a visible gradient.
    for p in m.parameters {
      for i in 0..<p.tensor.count { p.tensor.data[i] += Float(rng.normal()) * 0.3 }
    }
    return m
  }

  func testStateNames() {
    let m = layer(
      .softmax, chunk: 4, prenorm: true, norm: .layernorm, position: .rotary,
      bidirectional: true)
    XCTAssertEqual(
      m.stateDict.map(\.name),
      [
        "norm.norm.weight", "norm.norm.bias", "move.delta", "move.alpha", "move.beta",
        "move.gamma", "move.omega", "v_proj.weight", "v_proj.bias", "mx_proj.weight",
        "mx_proj.bias", "h_proj.weight", "h_proj.bias", "gamma", "beta", "rel_pos_bias.alpha",
        "rel_pos_bias.beta", "rel_pos_bias._float_tensor",
      ])
    XCTAssertEqual(m.move.delta.shape, [8, 2, 1])
    XCTAssertEqual(m.mxProj.weight.shape, [2 * 4 + 4 + 6, 4])
  }

  func testGradientsOfTheWholeLayer() throws {
    let cases: [(AttentionFunction, Int, Bool, NormType, RelativePositionKind, Bool)] = [
      (.softmax, -1, true, .layernorm, .simple, true),
      (.softmax, 4, true, .layernorm, .rotary, false),
      (.relu2, 4, false, .scalenorm, .rotary, true),
      (.laplace, 4, false, .rmsnorm, .simple, false),
      (.laplace, 16, true, .batchnorm, .simple, true),
    ]
    for (function, chunk, prenorm, norm, position, bidirectional) in cases {
      let m = layer(
        function, chunk: chunk, prenorm: prenorm, norm: norm, position: position,
        bidirectional: bidirectional)
      var rng = SplitMix64(seed: 22)
      let x = Tensor.randn([8, 2, 4], rng: &rng, requiresGrad: true)
      let pad: [Bool] = (0..<16).map { $0 >= 14 }
      // Per input, the better of two steps: a float32 central difference through a whole layer
      // is limited by rounding at small steps and by curvature at large ones.
      var err: Float = 0
      for t in [x] + m.parameters.map(\.tensor) {
        var best = Float.infinity
        for h in [Float(3e-2), 1e-2] {
          best = min(
            best,
            try GradientCheck.maxRelativeError(inputs: [t], step: h) { _ in
              try m(x, paddingMask: pad, causal: !bidirectional, .evaluation()).output
            })
        }
        err = max(err, best)
      }
      XCTAssertLessThan(err, 3e-2, "\(function) chunk \(chunk) \(norm) \(position)")
    }
  }
}
