import Layers
import Tensor
import XCTest

final class SeqBoatUnitTests: XCTestCase {
  /// A small encoder unit whose router decisions come only from `hx_proj.bias` (router rows of the
  /// weight zeroed): bias `[−3, 3]` activates every real token, `[3, −3]` none.
  func unit(
    active: Bool, causal: Bool = false, positions: SeqBoatPositions = .fullTable(maxPositions: 6),
    attention: AttentionFunction = .softmax, prenorm: Bool = true
  ) -> SeqBoatUnit {
    var rng = SplitMix64(seed: 21)
    let options = SeqBoatUnitOptions(
      embedDim: 6, hiddenDim: 5, zDim: 4, nDim: 2, window: 2, causal: causal,
      attention: attention, positions: positions, normType: .layernorm, prenorm: prenorm,
      activation: .silu, truncation: nil)
    let u = SeqBoatUnit(options, rng: &rng)
    for t in [u.mxProj.weight, u.hProj.weight, u.hxProj.weight, u.gamma, u.beta] {
      for i in 0..<t.count { t.data[i] = Float(rng.normal()) * 0.4 }
    }
    for i in 0..<(2 * 6) { u.hxProj.weight.data[i] = 0 }
    u.hxProj.bias!.data[0] = active ? -3 : 3
    u.hxProj.bias!.data[1] = active ? 3 : -3
    return u
  }

  func gradientError(_ u: SeqBoatUnit, padding: [Bool]?, length: Int = 7) -> Float {
    var rng = SplitMix64(seed: 4)
    let x = Tensor.randn([length, 2, 6], rng: &rng, requiresGrad: true)
    let inputs = [x] + u.parameters.map(\.tensor)
    return GradientCheck.maxRelativeError(inputs: inputs, step: 1e-2, samplesPerInput: 12) { t in
      u(t[0], paddingMask: padding)
    }
  }

  /// Both sequences padded: the active (real) tokens are compressed.
  let bothPadded =
    [false, false, false, false, false, true, true] + [false, false, false, true, true, true, true]
  /// Sequence 0 unpadded, hence fully active: the uncompressed path.
  let oneFull = [Bool](repeating: false, count: 7) + [false, true, false, true, false, false, true]

  /// The worst input here is the attention offset `beta`, whose gradient (~6e-3) is small against
  /// the checked sum (~20): float32 finite differences carry 2–7e-2 of noise there with either
  /// EMA method and any step from 3e-3 to 1e-2 (every other input checks to under 5e-3).
  func testCompressedPathGradients() {
    let u = unit(active: true)
    XCTAssertLessThan(gradientError(u, padding: bothPadded), 5e-2)
    XCTAssertEqual(u.lastRouter?.compressed, true)
    XCTAssertEqual(u.lastRouter?.compressedLength, 5)
  }

  func testUncompressedPathGradientsCausalRotary() {
    let u = unit(active: true, causal: true, positions: .rotary)
    XCTAssertLessThan(gradientError(u, padding: oneFull), 3e-2)
    XCTAssertEqual(u.lastRouter?.compressed, false)
    XCTAssertEqual(u.lastRouter?.compressedLength, 7)
  }

  func testRelu2LocalTablePostNormGradients() {
    let u = unit(active: true, positions: .localTable, attention: .relu2, prenorm: false)
    XCTAssertLessThan(gradientError(u, padding: bothPadded), 3e-2)
  }

  func testNoActiveTokenSkipsAttention() {
    let u = unit(active: false)
    XCTAssertLessThan(gradientError(u, padding: nil), 3e-2)
    XCTAssertEqual(u.lastRouter?.compressedLength, 0)
    XCTAssertNil(u.mxProj.weight.grad)
    // out = act(x̂-free residual): act(res + hx), hx from the EMA path.
    var rng = SplitMix64(seed: 8)
    let x = Tensor.randn([7, 2, 6], rng: &rng)
    let out = u(x)
    let mx = u.move(u.norm(x)).activated(.silu)
    let hx = u.hxProj(mx).slice(lastDim: 2..<8)
    let want = (x + hx).activated(.silu)
    for i in 0..<out.count { XCTAssertEqual(out.data[i], want.data[i], accuracy: 1e-5) }
  }

  /// The hook sees this call's largest active count and length; deciding "no compression" for a
  /// batch makes each sequence's output equal to that in a batch with a fully active sequence.
  func testCompressionDecisionHookMatchesGlobalBatch() {
    var rng = SplitMix64(seed: 12)
    let x = Tensor.randn([7, 2, 6], rng: &rng)
    let u = unit(active: true)
    let together = u(x, paddingMask: oneFull)
    XCTAssertEqual(u.lastRouter?.compressed, false)
    // Sequence 1 alone (batch of one), with the global decision of the pair.
    var seen: (Int, Int)?
    u.compressionDecision = { maxActive, length, _ in
      seen = (maxActive, length)
      return false
    }
    var x1 = [Float]()
    for t in 0..<7 { x1 += Array(x.data[(t * 2 + 1) * 6..<(t * 2 + 2) * 6]) }
    let alone = u(Tensor(shape: [7, 1, 6], data: x1), paddingMask: Array(oneFull[7...]))
    XCTAssertEqual(seen?.0, 4)
    XCTAssertEqual(seen?.1, 7)
    XCTAssertEqual(u.lastRouter?.compressed, false)
    for t in [0, 2, 4, 5] {
      for c in 0..<6 {
        XCTAssertEqual(alone.data[t * 6 + c], together.data[(t * 2 + 1) * 6 + c], accuracy: 1e-5)
      }
    }
    u.compressionDecision = localCompressionDecision
    let compressed = u(Tensor(shape: [7, 1, 6], data: x1), paddingMask: Array(oneFull[7...]))
    XCTAssertEqual(u.lastRouter?.compressed, true)
    let change = zip(compressed.data, alone.data).map { abs($0 - $1) }.max()!
    XCTAssertGreaterThan(change, 1e-4, "windows over slots differ from windows over positions")
  }
}
