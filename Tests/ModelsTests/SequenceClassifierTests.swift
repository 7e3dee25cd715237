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
      guard case .classifier(let m) = Model(try config(arch)) else { return XCTFail() }
      let a = [4, 7, 9, 2, 1, 1]
      let b = [5, 6, 8, 10, 11, 2]
      let logits = try m.logits(.tokenPair(a, b, batch: 1))
      let r1 = try m.encoder.encode(tokens: a, batch: 1)
      let r2 = try m.encoder.encode(tokens: b, batch: 1)
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
    guard case .classifier(let m) = Model(c) else { return XCTFail() }
    let a = [4, 7, 9, 2, 1, 1]
    let b = [5, 6, 8, 10, 11, 2]
    _ = try m.logits(.tokenPair(a, b, batch: 1))
    let both = m.routers.map(\.logits)
    _ = try m.encoder.encode(tokens: a, batch: 1)
    let first = m.encoder.layers.compactMap(\.router).map(\.logits)
    _ = try m.encoder.encode(tokens: b, batch: 1)
    let second = m.encoder.layers.compactMap(\.router).map(\.logits)
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
      guard case .classifier(let m) = Model(c) else { return XCTFail() }
      let logits = try m.logits(.tokens([4, 7, 9, 12, 3, 2, 1], batch: 1))
      XCTAssertTrue(logits.data.allSatisfy(\.isFinite), "\(function)")
      for r in m.routers {
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
      guard case .classifier(let m) = Model(try config(arch)) else { return XCTFail() }
      let short = try m.logits(.tokens([4, 7, 9, 12, 3, 2], batch: 1))
      let long = try m.logits(.tokens([4, 7, 9, 12, 3, 2, 1, 1, 1], batch: 1))
      for i in 0..<short.count { XCTAssertEqual(short.data[i], long.data[i], accuracy: 1e-5, arch) }
    }
  }

  func testClassifierGradientsReachEveryParameter() throws {
    guard case .classifier(let m) = Model(try config("slag_lra_pf32")) else { return XCTFail() }
    var rng = SplitMix64(seed: 3)
    let x = Tensor.randn([2, 12], rng: &rng)
    let (loss, _) = try Losses.classification(logits: try m.logits(.values(x)), targets: [0, 1])
    loss.backward()
    let missing = m.parameters.filter { $0.tensor.grad == nil }.map(\.name)
    XCTAssertEqual(missing, [])
  }

  /// The installed decision is asked once per SeqBoat layer and forward call, in layer order.
  func testCompressionDecisionReachesEveryLayer() throws {
    var c = try config("slag_lra_listop")
    c.layers = 3
    let model = Model(c)
    var calls: [(Int, Int)] = []
    model.setCompressionDecision { maxActive, length, _ in
      calls.append((maxActive, length))
      return false
    }
    guard case .classifier(let m) = model else { return XCTFail() }
    _ = try m.logits(.tokens([4, 7, 9, 12, 3, 2, 1], batch: 1))
    XCTAssertEqual(calls.count, 3)
    XCTAssertTrue(calls.allSatisfy { $0.1 == 7 && $0.0 <= 6 })
    XCTAssertEqual(m.routers.map(\.compressed), [false, false, false])
  }

  func testBitsAndPerplexity() {
    XCTAssertEqual(Losses.bits(2 * 0.693_147_18, sampleSize: 2), 1, accuracy: 1e-6)
    XCTAssertEqual(Losses.perplexity(bits: 3), 8, accuracy: 1e-9)
  }
}
