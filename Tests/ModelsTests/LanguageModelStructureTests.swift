import Layers
import Models
import Tensor
import XCTest

/// The language model's optional parts, named and built as the reference builds them
/// (`MegaDecoder`/`SeqBoatDecoder.__init__`).
final class LanguageModelStructureTests: XCTestCase {
  func names(_ c: ModelConfig) -> [String] {
    guard let m = makeModelAs(LanguageModel.self, c) else { return [] }
    return m.parameters.map(\.name).filter { !$0.contains(".layers.") }
  }

  /// A final norm only for pre-norm models, of the configured type, affine unless
  /// `no_affine_final_norm`.
  func testFinalNormFollowsNormalizeBeforeTypeAndAffine() throws {
    for arch in ["mega_lm_enwik8_base", "slag_lm_enwik8_base_v2"] {
      var c = try ModelConfig.small(arch, maxPositions: 32, classifierOutDim: 0)
      for norm in [NormType.layernorm, .scalenorm] {
        c.normType = norm
        for (prenorm, noAffine) in [(true, true), (true, false), (false, false)] {
          c.prenorm = prenorm
          c.noAffineFinalNorm = noAffine
          let final = names(c).filter { $0.hasPrefix("decoder.final_norm") }
          let want: [String] =
            !prenorm || noAffine
            ? [] : norm == .layernorm ? ["weight", "bias"] : ["scalar"]
          XCTAssertEqual(final, want.map { "decoder.final_norm.norm.\($0)" }, "\(arch) \(norm)")
        }
      }
    }
  }

  func testInputProjectionEmbeddingNormAndScale() throws {
    var c = try ModelConfig.small("mega_lm_enwik8_base", maxPositions: 32, classifierOutDim: 0)
    c.shareEmbedding = false
    c.decoderInputDim = 6
    c.prenorm = false
    c.normalizeEmbedding = true
    XCTAssertNoThrow(try ModelConfigChecks.check(c))
    let n = names(c)
    XCTAssertTrue(n.contains("decoder.project_in_dim.weight"))
    XCTAssertTrue(n.contains("decoder.embed_norm.norm.weight"))
    guard let m = makeModelAs(LanguageModel.self, c) else { return XCTFail() }
    XCTAssertEqual(m.embedding?.weight.shape, [12, 6])
    XCTAssertEqual(m.projectIn?.weight.shape, [8, 6])
    let ids = [3, 4, 5, 6]
    let scaled = try m.features(tokens: ids, batch: 1, .evaluation()).data
    c.scaleEmbedding = false
    guard let unscaled = makeModelAs(LanguageModel.self, c) else { return XCTFail() }
    XCTAssertNotEqual(try unscaled.features(tokens: ids, batch: 1, .evaluation()).data, scaled)
    c.shareEmbedding = true
    XCTAssertThrowsError(try ModelConfigChecks.check(c)) {
      XCTAssertEqual(
        "\($0)",
        "model args: 'decoder_input_dim' is 6; a tied output projection of width 6 cannot read "
          + "8-wide features")
    }
  }
}
