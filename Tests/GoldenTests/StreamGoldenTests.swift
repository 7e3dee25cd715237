import Layers
import Models
import Tensor
import XCTest

@testable import Golden

/// The stateful path of Mega LM evaluation (MODEL.md §2.6) against reference outputs of one
/// whole pass: the golden files hold no incremental case, but reading their inputs in segments
/// with carried state must give their outputs wherever the reference's kernel is untruncated.
/// Compared with the golden rule `max|got − ref| ≤ outputs_atol_rel · max|ref|`.
final class StreamGoldenTests: XCTestCase {
  private func file(_ name: String) throws -> GoldenFile {
    try GoldenFile(path: GoldenFixtures.directory.appendingPathComponent(name + ".h5").path)
  }

  /// Asserts the golden rule for `got` against `ref`.
  private func assertClose(
    _ got: [Float], _ ref: [Double], atolRel: Double, _ what: String, line: UInt = #line
  ) {
    XCTAssertEqual(got.count, ref.count, what, line: line)
    let scale = ref.map(abs).max() ?? 0
    let err = zip(got, ref).map { abs(Double($0) - $1) }.max() ?? 0
    XCTAssertLessThanOrEqual(err, atolRel * scale, what, line: line)
  }

  /// `ema_causal` (untruncated): the input in segments of 7, 9 and 8 steps with one state.
  func testCausalEMACaseInSegments() throws {
    let f = try file("ema_causal")
    let c = f.config
    var rng = SplitMix64(seed: 0)
    let ema = MultiHeadEMA(
      embedDim: try c.dimension("embed_dim"), ndim: try c.dimension("ndim"),
      bidirectional: false, truncation: nil, outputSilu: true, rng: &rng)
    let layer = try LayerCase(f)
    try layer.load(ema)
    let x = try layer.input("x", channels: ema.embedDim)
    let (batch, e) = (x.shape[1], x.shape[2])
    XCTAssertEqual(x.shape[0], 24)
    let state = EMAState()
    var got: [Float] = []
    GradMode.withoutGrad {
      var start = 0
      for len in [7, 9, 8] {
        let piece = Array(x.data[(start * batch * e)..<((start + len) * batch * e)])
        got += ema(Tensor(shape: [len, batch, e], data: piece), state: state).data
        start += len
      }
    }
    assertClose(
      got, try f.array("/outputs/out").values, atolRel: try f.tolerance("outputs_atol_rel"),
      "ema_causal in segments")
  }

  /// `model_lm_mega` (chunk 8, truncation 16, L = 20) read in segments of one chunk: the logits of
  /// the first 16 positions, where truncation at 16 drops nothing, equal the reference's.
  func testMegaLanguageModelCaseInSegments() throws {
    let f = try file("model_lm_mega")
    let config = try ModelGoldenCase.modelConfig(f)
    XCTAssertEqual(config.chunkSize, 8)
    XCTAssertEqual(config.truncation, 16)
    var rng = SplitMix64(seed: 1)
    let model = LanguageModel(config, rng: &rng)
    var values: [String: (shape: [Int], data: [Float])] = [:]
    for (name, a) in try f.arrays(under: "/params") { values[name] = (a.shape, a.floats) }
    try model.load(values)
    let layer = try LayerCase(f)
    let tokens = try layer.inputArray("src_tokens")
    let (batch, len) = (tokens.shape[0], tokens.shape[1])
    let (scored, vocab) = (16, config.vocabSize)
    let stream = try XCTUnwrap(try model.segmentStream(chunkSize: 8))
    var logits = [Float](repeating: 0, count: batch * scored * vocab)
    try GradMode.withoutGrad {
      for start in stride(from: 0, to: len, by: 8) {
        let end = min(start + 8, len)
        let piece = (0..<batch).flatMap { b in tokens.ints[(b * len + start)..<(b * len + end)] }
        let features = try model.features(
          tokens: piece, batch: batch, stream: stream, .evaluation())
        let out = model.logits(features: features).data
        for b in 0..<batch {
          for t in start..<min(end, scored) {
            let row = (b * (end - start) + t - start) * vocab
            logits.replaceSubrange(
              ((b * scored + t) * vocab)..<((b * scored + t + 1) * vocab),
              with: out[row..<(row + vocab)])
          }
        }
      }
    }
    let ref = try f.array("/outputs/logits").values
    let wanted = (0..<batch).flatMap { b in ref[(b * len * vocab)..<((b * len + scored) * vocab)] }
    assertClose(
      logits, wanted, atolRel: try f.tolerance("outputs_atol_rel"), "model_lm_mega in segments")
  }
}
