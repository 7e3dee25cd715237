import Layers
import Models
import Tensor
import XCTest

final class SequenceClassifierTests: XCTestCase {
  func config(_ arch: String) throws -> ModelConfig {
    try ModelConfig.small(arch, maxPositions: 32, classifierOutDim: 6)
  }

  /// Retrieval features are `[r2, r1]` (Mega) and `[r2, r1, r1⊙r2, r1 − r2]` (SeqBoat --use-nli).
  func testRetrievalFeatureOrder() throws {
    for arch in ["mega_lra_aan", "slag_lra_aan"] {
      guard let m = makeModelAs(SequenceClassifier.self, try config(arch)) else { return XCTFail() }
      let a = [4, 7, 9, 2, 1, 1]
      let b = [5, 6, 8, 10, 11, 2]
      let logits = try m.logits(.tokenPair(a, b, batch: 1), .evaluation())
      let r1 = try m.encoder.encode(tokens: a, batch: 1, .evaluation())
      let r2 = try m.encoder.encode(tokens: b, batch: 1, .evaluation())
      let nli = m.config.useNLI
      let features = Tensor.concat(lastDim: nli ? [r2, r1, r1 * r2, r1 - r2] : [r2, r1])
      let want = m.projection(m.hidden[0](features).activated(.gelu))
      for i in 0..<2 { XCTAssertEqual(logits.data[i], want.data[i], accuracy: 1e-5, arch) }
    }
  }

  /// A retrieval model runs the shared encoder on both documents; the router records of both
  /// passes are kept, the first document's layers first (reference layers 0..<N, then N..<2N).
  func testRetrievalKeepsBothInputsRouterRecordsInOrder() throws {
    var c = try config("slag_lra_aan")
    c.layers = 2
    guard let m = makeModelAs(SequenceClassifier.self, c) else { return XCTFail() }
    let a = [4, 7, 9, 2, 1, 1]
    let b = [5, 6, 8, 10, 11, 2]
    let pair = ForwardContext.evaluation()
    _ = try m.logits(.tokenPair(a, b, batch: 1), pair)
    let both = pair.routers.map(\.logits)
    func routerLogits(_ tokens: [Int]) throws -> [[Float]] {
      let ctx = ForwardContext.evaluation()
      _ = try m.encoder.encode(tokens: tokens, batch: 1, ctx)
      return ctx.routers.map(\.logits)
    }
    let first = try routerLogits(a)
    let second = try routerLogits(b)
    XCTAssertEqual(both.count, 4)
    XCTAssertEqual(both, first + second)
    XCTAssertNotEqual(first, second)
  }

  /// The global mode (`chunk_size -1`) with every attention function runs (it trapped on a
  /// negative window) and compresses iff the densest sequence is below 90 % active.
  func testGlobalModeRunsWithEveryAttentionFunction() throws {
    for function in AttentionFunction.allCases {
      var c = try config("slag_lra_listop")
      c.chunkSize = -1
      c.attentionActivation = function
      guard let m = makeModelAs(SequenceClassifier.self, c) else { return XCTFail() }
      let ctx = ForwardContext.evaluation()
      let logits = try m.logits(.tokens([4, 7, 9, 12, 3, 2, 1], batch: 1), ctx)
      XCTAssertTrue(logits.data.allSatisfy(\.isFinite), "\(function)")
      XCTAssertEqual(ctx.routers.count, c.layers)
      for r in ctx.routers {
        let density = Double(r.decision.maxActiveCount) / Double(r.decision.length)
        XCTAssertEqual(r.compressed, density < 0.9, "\(function)")
      }
    }
    var zero = try config("slag_lra_listop")
    zero.chunkSize = 0
    XCTAssertThrowsError(try ModelConfigChecks.check(zero)) { error in
      XCTAssertTrue("\(error)".contains("chunk_size"), "\(error)")
    }
  }

  /// Mean pooling ignores padding: appending padding does not change the logits (SeqBoat and a
  /// Mega model whose padding to the chunk multiple is internal).
  func testPaddingDoesNotChangeLogits() throws {
    for arch in ["slag_lra_listop", "mega_lra_listop"] {
      guard let m = makeModelAs(SequenceClassifier.self, try config(arch)) else { return XCTFail() }
      let short = try m.logits(.tokens([4, 7, 9, 12, 3, 2], batch: 1), .evaluation())
      let long = try m.logits(.tokens([4, 7, 9, 12, 3, 2, 1, 1, 1], batch: 1), .evaluation())
      for i in 0..<short.count { XCTAssertEqual(short.data[i], long.data[i], accuracy: 1e-5, arch) }
    }
  }

  func testClassifierGradientsReachEveryParameter() throws {
    guard let m = makeModelAs(SequenceClassifier.self, try config("slag_lra_pf32")) else {
      return XCTFail()
    }
    var rng = SplitMix64(seed: 3)
    let x = Tensor.randn([2, 12], rng: &rng)
    let (loss, _) = try Losses.classification(
      logits: try m.logits(.values(x), .evaluation()), targets: [0, 1])
    loss.backward()
    let missing = m.parameters.filter { $0.tensor.grad == nil }.map(\.name)
    XCTAssertEqual(missing, [])
  }

  /// In a training pass over ranks every SeqBoat layer takes its decision over the ranks, once
  /// per forward call, in layer order: with a dense sequence on the other rank, no layer compresses.
  func testCompressionDecisionReachesEveryLayer() throws {
    var c = try config("slag_lra_listop")
    c.layers = 3
    c.dropout = 0
    c.attentionDropout = 0
    c.hiddenDropout = 0
    guard let m = makeModelAs(SequenceClassifier.self, c) else { return XCTFail() }
    let partner = DenseOtherRank()
    let ctx = ForwardContext(training: true, collective: partner)
    _ = try m.logits(.tokens([4, 7, 9, 12, 3, 2, 1], batch: 1), ctx)
    XCTAssertEqual(partner.calls, 3)
    XCTAssertEqual(ctx.routers.map(\.compressed), [false, false, false])
    let alone = ForwardContext.evaluation()
    _ = try m.logits(.tokens([4, 7, 9, 12, 3, 2, 1], batch: 1), alone)
    XCTAssertEqual(
      alone.routers.map(\.compressed), [true, true, true], "this rank alone compresses")
  }

  /// The other rank of a two-rank pass, whose rows hold a dense sequence: it counts the reductions
  /// and adds its "dense" flag to each.
  private final class DenseOtherRank: Collective {
    var calls = 0
    let rank = 0
    let size = 2
    func allReduceSum(_ values: inout [Double]) {
      calls += 1
      values[0] += 1
    }
  }

  func testBitsAndPerplexity() {
    XCTAssertEqual(Losses.bits(2 * 0.693_147_18, sampleSize: 2), 1, accuracy: 1e-6)
    XCTAssertEqual(Losses.perplexity(bits: 3), 8, accuracy: 1e-9)
  }
}
