import Tensor
import TestSupport
import XCTest

@testable import Layers

final class ChunkedAttentionTests: XCTestCase {
  /// Batch 2, L 8: sequence 0 has padding at 6, 7; sequence 1 at 3..7 (its second chunk of 4 is
  /// entirely padding, which softmax leaves unmasked).
  private let padding: [Bool] = (0..<16).map { i in i % 8 >= (i < 8 ? 6 : 3) }

  func testGradientsInEveryMode() {
    for function in AttentionFunction.allCases {
      for chunk in [4, 8] {
        for causal in [false, true] {
          for padded in [false, true] {
            var rng = SplitMix64(seed: 11)
            let q = Tensor.randn([8, 2, 3], rng: &rng, requiresGrad: true)
            let k = Tensor.randn([8, 2, 3], rng: &rng, requiresGrad: true)
            let v = Tensor.randn([8, 2, 5], rng: &rng, requiresGrad: true)
            let bias = Tensor.randn([chunk, chunk], std: 0.3, rng: &rng, requiresGrad: true)
            let mask = padded ? padding : nil
            let err = GradientCheck.maxRelativeError(inputs: [q, k, v, bias]) {
              ChunkedAttention.apply(
                q: $0[0], k: $0[1], v: $0[2], bias: $0[3], chunk: chunk, function: function,
                paddingMask: mask, causal: causal
              ).output
            }
            XCTAssertLessThan(
              err, 3e-2, "\(function) chunk \(chunk) causal \(causal) pad \(padded)")
          }
        }
      }
    }
  }

  func testSoftmaxMasksPaddingKeysUnlessTheChunkIsAllPadding() {
    var rng = SplitMix64(seed: 12)
    let q = Tensor.randn([8, 2, 3], rng: &rng)
    let k = Tensor.randn([8, 2, 3], rng: &rng)
    let v = Tensor.randn([8, 2, 2], rng: &rng)
    let w = ChunkedAttention.apply(
      q: q, k: k, v: v, bias: nil, chunk: 4, function: .softmax, paddingMask: padding,
      causal: false
    ).weights
    XCTAssertEqual(w.shape, [2, 2, 4, 4])
    // Sequence 0, chunk 1: keys 2, 3 of the chunk (positions 6, 7) are padding.
    let s0c1 = Array(w.data[16..<32])
    for i in 0..<4 {
      XCTAssertEqual(s0c1[i * 4 + 2], 0)
      XCTAssertEqual(s0c1[i * 4 + 3], 0)
      XCTAssertEqual(s0c1[i * 4] + s0c1[i * 4 + 1], 1, accuracy: 1e-5)
    }
    // Sequence 1, chunk 1: all padding, nothing masked.
    let s1c1 = Array(w.data[48..<64])
    for x in s1c1 { XCTAssertGreaterThan(x, 0) }
  }

  func testElementAttentionDividesByRealKeyCountOrCausalRow() {
    let q = Tensor(shape: [2, 1, 1], data: [1, 1])
    let k = Tensor(shape: [2, 1, 1], data: [2, 3])
    let v = Tensor(shape: [2, 1, 1], data: [1, 1])
    let pad = [false, true]
    let w = ChunkedAttention.apply(
      q: q, k: k, v: v, bias: nil, chunk: 2, function: .relu2, paddingMask: pad, causal: false
    ).weights
    XCTAssertEqual(w.data, [4, 0, 4, 0])
    let causal = ChunkedAttention.apply(
      q: q, k: k, v: v, bias: nil, chunk: 2, function: .relu2, paddingMask: nil, causal: true
    ).weights
    XCTAssertEqual(causal.data, [4, 0, 1, 2.25])
  }

  func testRelativePositionBiasGradientsAndStructure() {
    var rng = SplitMix64(seed: 13)
    for kind in [RelativePositionKind.simple, .rotary] {
      let bias = RelativePositionBias(
        kind, maxPositions: 6, zdim: 4, initializer: .normal(std: 0.5), rng: &rng)
      let b = bias(5)
      // Both kinds depend only on j − i.
      for i in 1..<5 {
        for j in 1..<5 {
          XCTAssertEqual(b.data[i * 5 + j], b.data[(i - 1) * 5 + j - 1], accuracy: 1e-5)
        }
      }
      let err = GradientCheck.maxRelativeError(inputs: bias.parameters.map(\.tensor)) { _ in
        bias(5)
      }
      XCTAssertLessThan(err, 1e-2, "\(kind)")
    }
  }

  func testSimpleBiasIndexing() {
    var rng = SplitMix64(seed: 14)
    let bias = RelativePositionBias(
      .simple, maxPositions: 3, zdim: 2, initializer: .normal(std: 1), rng: &rng)
    bias.first.data = [10, 11, 12, 13, 14]
    XCTAssertEqual(bias(2).data, [12, 13, 11, 12])
  }

  /// Attention dropout: a fixed mask of factors on P, differentiated as a constant.
  func testAttentionDropoutGradientsAndForward() {
    for function in AttentionFunction.allCases {
      var rng = SplitMix64(seed: 15)
      let q = Tensor.randn([8, 2, 3], rng: &rng, requiresGrad: true)
      let k = Tensor.randn([8, 2, 3], rng: &rng, requiresGrad: true)
      let v = Tensor.randn([8, 2, 5], rng: &rng, requiresGrad: true)
      let mask = DropoutDraw(p: 0.3, key: rng.next())
      let err = GradientCheck.maxRelativeError(inputs: [q, k, v]) {
        ChunkedAttention.apply(
          q: $0[0], k: $0[1], v: $0[2], bias: nil, chunk: 4, function: function,
          paddingMask: padding, causal: false, dropout: mask
        ).output
      }
      XCTAssertLessThan(err, 3e-2, "\(function)")
      let plain = ChunkedAttention.apply(
        q: q, k: k, v: v, bias: nil, chunk: 4, function: function, paddingMask: nil,
        causal: true)
      let ones = ChunkedAttention.apply(
        q: q, k: k, v: v, bias: nil, chunk: 4, function: function, paddingMask: nil,
        causal: true, dropout: DropoutDraw(p: 0, key: 3))
      XCTAssertEqual(plain.output.data, ones.output.data)
    }
  }
}
