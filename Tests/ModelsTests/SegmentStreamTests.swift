import Layers
import Models
import Tensor
import XCTest

/// A Mega language model read in segments with carried EMA states (MODEL.md §2.6, §5.9) equals
/// one pass over the whole block with the same attention chunk and an untruncated EMA.
final class SegmentStreamTests: XCTestCase {
  /// Two layers, chunk 16 and EMA truncation 3 as trained; `adaptive`: adaptive input and
  /// softmax (cutoffs 4, 8, factor 2) as the WikiText-103 model.
  private func trained(adaptive: Bool = false) throws -> ModelConfig {
    var c = try ModelConfig.small(
      adaptive ? "mega_lm_adaptive_big" : "mega_lm_enwik8_base", maxPositions: 64,
      classifierOutDim: 8)
    c.layers = 2
    c.chunkSize = 16
    c.truncation = 3
    c.dropout = 0
    c.relPosBias = .rotary  // as the paper trains it (the arch's simple table ties C to L)
    c.prenorm = true
    if adaptive {
      c.adaptiveCutoffs = [4, 8]
      c.adaptiveFactor = 2
    }
    return c
  }

  /// The model of `config` holding `source`'s parameters.
  private func copy(_ source: LanguageModel, as config: ModelConfig) throws -> LanguageModel {
    var rng = SplitMix64(seed: 99)
    let model = LanguageModel(config, rng: &rng)
    try model.load(
      Dictionary(
        uniqueKeysWithValues: source.stateDict.map { ($0.name, ($0.tensor.shape, $0.tensor.data)) }
      ))
    return model
  }

  func testSegmentsEqualOnePassWithTheTestChunkAndUntruncatedEMA() throws {
    try check(adaptive: false)
  }

  func testAdaptiveSoftmaxModelInSegments() throws {
    try check(adaptive: true)
  }

  private func check(adaptive: Bool) throws {
    var rng = SplitMix64(seed: 7)
    let model = LanguageModel(try trained(adaptive: adaptive), rng: &rng)
    var whole = try trained(adaptive: adaptive)
    whole.chunkSize = 4
    whole.truncation = nil
    let reference = try copy(model, as: whole)
    let len = 22
    let tokens = (0..<len).map { 2 + ($0 * 7 + $0 / 3) % 10 }
    let targets = Array(tokens.dropFirst()) + [2]
    let (wantFeatures, wantLoss) = try GradMode.withoutGrad {
      (
        try reference.features(tokens: tokens, batch: 1, .evaluation()).data,
        try reference.loss(tokens: tokens, targets: targets, batch: 1, .evaluation()).loss.item
      )
    }
    let stream = try XCTUnwrap(try model.segmentStream(chunkSize: 4))
    for segment in [8, 4, 12] {
      stream.reset()
      var features: [Float] = []
      var loss: Float = 0
      try GradMode.withoutGrad {
        for start in stride(from: 0, to: len, by: segment) {
          let end = min(start + segment, len)
          let piece = Array(tokens[start..<end])
          features += try model.features(tokens: piece, batch: 1, stream: stream, .evaluation())
            .data
        }
        stream.reset()
        for start in stride(from: 0, to: len, by: segment) {
          let end = min(start + segment, len)
          loss +=
            try model.loss(
              tokens: Array(tokens[start..<end]), targets: Array(targets[start..<end]), batch: 1,
              stream: stream, .evaluation()
            ).loss.item
        }
      }
      XCTAssertEqual(features.count, wantFeatures.count)
      let worst = zip(features, wantFeatures).map { abs($0 - $1) }.max() ?? 0
      XCTAssertLessThan(worst, 2e-4, "segments of \(segment)")
      XCTAssertEqual(loss, wantLoss, accuracy: 1e-4 * abs(wantLoss), "segments of \(segment)")
    }
    let plain = try GradMode.withoutGrad {
      try model.features(tokens: tokens, batch: 1, .evaluation()).data
    }
    let far = zip(plain, wantFeatures).map { abs($0 - $1) }.max() ?? 0
    XCTAssertGreaterThan(far, 1e-3, "the training chunk and truncation give other features")
  }

  func testOnlyTheLastSegmentMayBeShorterThanAMultipleOfTheChunk() throws {
    var rng = SplitMix64(seed: 5)
    let model = LanguageModel(try trained(), rng: &rng)
    let stream = try XCTUnwrap(try model.segmentStream(chunkSize: 4))
    try GradMode.withoutGrad {
      _ = try model.features(
        tokens: [2, 3, 4, 5, 6, 7, 8, 9], batch: 1, stream: stream, .evaluation())
      _ = try model.features(tokens: [2, 3, 4, 5, 6], batch: 1, stream: stream, .evaluation())
      XCTAssertThrowsError(
        try model.features(tokens: [2, 3, 4, 5], batch: 1, stream: stream, .evaluation())
      ) {
        XCTAssertTrue("\($0)".contains("after one of 5 tokens"), "\($0)")
      }
      stream.reset()
      XCTAssertNoThrow(
        try model.features(tokens: [2, 3, 4, 5], batch: 1, stream: stream, .evaluation()))
    }
  }

  func testRefusesSeqBoatAndChunksBeyondASimpleTable() throws {
    var rng = SplitMix64(seed: 3)
    let seqboat = LanguageModel(
      try ModelConfig.small("slag_lm_enwik8_base_v2", maxPositions: 64, classifierOutDim: 8),
      rng: &rng)
    XCTAssertNil(try seqboat.segmentStream(chunkSize: 4), "SeqBoat layers carry no state")
    var simple = try trained()
    simple.relPosBias = .simple
    let mega = LanguageModel(simple, rng: &rng)
    XCTAssertThrowsError(try mega.segmentStream(chunkSize: 32)) {
      XCTAssertTrue("\($0)".contains("32 exceeds the simple relative-position table"), "\($0)")
    }
    XCTAssertNotNil(try mega.segmentStream(chunkSize: 16))
  }
}
