import Layers
import Tensor
import TestSupport
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

  /// The unit's output on `x` in eval mode (or in `ctx`), and its router record.
  func run(
    _ u: SeqBoatUnit, _ x: Tensor, padding: [Bool]? = nil,
    _ ctx: ForwardContext = .evaluation()
  ) throws -> (out: Tensor, router: RouterRecord?) {
    let out = try u(x, paddingMask: padding, ctx)
    return (out, ctx.routers.last)
  }

  func gradientError(_ u: SeqBoatUnit, padding: [Bool]?, length: Int = 7) throws -> Float {
    var rng = SplitMix64(seed: 4)
    let x = Tensor.randn([length, 2, 6], rng: &rng, requiresGrad: true)
    let inputs = [x] + u.parameters.map(\.tensor)
    return try GradientCheck.maxRelativeError(inputs: inputs, step: 1e-2, samplesPerInput: 12) {
      t in try u(t[0], paddingMask: padding, .evaluation())
    }
  }

  /// The other rank of a two-rank training pass, whose rows hold a dense sequence or not: it adds
  /// its "dense" flag to the compression decision's reduction.
  private final class Partner: Collective {
    let dense: Bool
    let rank = 0
    let size = 2
    init(dense: Bool) { self.dense = dense }
    func allReduceSum(_ values: inout [Double]) { values[0] += dense ? 1 : 0 }
  }

  /// Both sequences padded: the active (real) tokens are compressed.
  let bothPadded =
    [false, false, false, false, false, true, true] + [false, false, false, true, true, true, true]
  /// Sequence 0 unpadded, hence fully active: the uncompressed path.
  let oneFull = [Bool](repeating: false, count: 7) + [false, true, false, true, false, false, true]

  /// The worst input here is the attention offset `beta`, whose gradient (~6e-3) is small against
  /// the checked sum (~20): float32 finite differences carry 2–7e-2 of noise there with either
  /// EMA method and any step from 3e-3 to 1e-2 (every other input checks to under 5e-3).
  func testCompressedPathGradients() throws {
    let u = unit(active: true)
    XCTAssertLessThan(try gradientError(u, padding: bothPadded), 5e-2)
    let router = try run(u, .zeros([7, 2, 6]), padding: bothPadded).router
    XCTAssertEqual(router?.compressed, true)
    XCTAssertEqual(router?.compressedLength, 5)
  }

  func testUncompressedPathGradientsCausalRotary() throws {
    let u = unit(active: true, causal: true, positions: .rotary)
    XCTAssertLessThan(try gradientError(u, padding: oneFull), 3e-2)
    let router = try run(u, .zeros([7, 2, 6]), padding: oneFull).router
    XCTAssertEqual(router?.compressed, false)
    XCTAssertEqual(router?.compressedLength, 7)
  }

  func testRelu2LocalTablePostNormGradients() throws {
    let u = unit(active: true, positions: .localTable, attention: .relu2, prenorm: false)
    XCTAssertLessThan(try gradientError(u, padding: bothPadded), 3e-2)
  }

  func testNoActiveTokenSkipsAttention() throws {
    let u = unit(active: false)
    XCTAssertLessThan(try gradientError(u, padding: nil), 3e-2)
    XCTAssertNil(u.mxProj.weight.grad)
    // out = act(x̂-free residual): act(res + hx), hx from the EMA path.
    var rng = SplitMix64(seed: 8)
    let x = Tensor.randn([7, 2, 6], rng: &rng)
    let (out, router) = try run(u, x)
    XCTAssertEqual(router?.compressedLength, 0)
    let mx = u.move(try u.norm(x, .evaluation())).activated(.silu)
    let hx = u.hxProj(mx).slice(lastDim: 2..<8)
    let want = (x + hx).activated(.silu)
    for i in 0..<out.count { XCTAssertEqual(out.data[i], want.data[i], accuracy: 1e-5) }
  }

  /// In a training pass over two ranks the decision is the batch's: when the other rank holds a
  /// dense sequence, this rank's rows are not compressed, and each sequence's output equals that
  /// in one batch with the dense sequence; in eval mode each rank decides alone.
  func testCompressionDecisionIsTakenOverTheRanks() throws {
    var rng = SplitMix64(seed: 12)
    let x = Tensor.randn([7, 2, 6], rng: &rng)
    let u = unit(active: true)
    let (together, first) = try run(u, x, padding: oneFull)
    XCTAssertEqual(first?.compressed, false)
    // Sequence 1 alone (this rank's rows), the dense sequence 0 on the other rank.
    var x1 = [Float]()
    for t in 0..<7 { x1 += Array(x.data[(t * 2 + 1) * 6..<(t * 2 + 2) * 6]) }
    let rows = Tensor(shape: [7, 1, 6], data: x1)
    let (alone, router) = try run(
      u, rows, padding: Array(oneFull[7...]),
      ForwardContext(training: true, collective: Partner(dense: true)))
    XCTAssertEqual(router?.compressedLength, 4)
    XCTAssertEqual(router?.compressed, false)
    for t in [0, 2, 4, 5] {
      for c in 0..<6 {
        XCTAssertEqual(alone.data[t * 6 + c], together.data[(t * 2 + 1) * 6 + c], accuracy: 1e-5)
      }
    }
    let sparsePartner = ForwardContext(training: true, collective: Partner(dense: false))
    let (compressed, alsoCompressed) = try run(
      u, rows, padding: Array(oneFull[7...]), sparsePartner)
    XCTAssertEqual(alsoCompressed?.compressed, true)
    let change = zip(compressed.data, alone.data).map { abs($0 - $1) }.max()!
    XCTAssertGreaterThan(change, 1e-4, "windows over slots differ from windows over positions")
    let (_, local) = try run(
      u, rows, padding: Array(oneFull[7...]),
      ForwardContext(training: false, collective: Partner(dense: true)))
    XCTAssertEqual(local?.compressed, true, "eval mode decides on this rank's rows")
  }
}
