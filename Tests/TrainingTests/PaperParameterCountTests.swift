import Models
import Training
import XCTest

/// Every paper configuration (the arch with its recipe's options, `PaperRecipeOptions`) has the
/// parameter count of MODEL.md §7.3 (reference implementations, tied weights once, vocabularies as
/// stated there).
final class PaperParameterCountTests: XCTestCase {
  func count(_ name: String, chunk: Int? = nil, layers: Int? = nil) throws -> Int {
    let chunkFlag = name.contains("_lm_") ? "--decoder-chunk-size" : "--chunk-size"
    let paperChunk = [
      "slag_lra_listop": 128, "slag_lra_imdb": 128, "slag_lra_aan": 128, "slag_lra_cifar10": 128,
      "slag_lra_pf32": 128, "slag_lra_pf128_base": 256, "slag_sc_raw_base": 128,
      "mega_lm_enwik8_base": 2048, "mega_lm_adaptive_big": 1024, "slag_lm_enwik8_base_v2": 1024,
    ]
    var words = PaperRecipeOptions.words(name)
    if let c = chunk ?? paperChunk[name] { words += [chunkFlag, "\(c)"] }
    var config = try ModelArgs.config(
      arch: name, values: ModelFlags.entries(arch: name, words: words))
    if let layers { config.layers = layers }
    return makeModel(config).parameterCount
  }

  func testMegaClassifiers() throws {
    XCTAssertEqual(try count("mega_lra_listop"), 602_658)
    XCTAssertEqual(try count("mega_lra_listop", chunk: 128), 580_170)
    XCTAssertEqual(try count("mega_lra_imdb"), 991_124)
    XCTAssertEqual(try count("mega_lra_imdb", chunk: 128), 960_132)
    XCTAssertEqual(try count("mega_lra_aan"), 1_485_726)
    XCTAssertEqual(try count("mega_lra_aan", chunk: 128), 1_439_238)
    XCTAssertEqual(try count("mega_lra_cifar10"), 2_839_096)
    XCTAssertEqual(try count("mega_lra_cifar10", chunk: 128), 2_824_760)
    XCTAssertEqual(try count("mega_lra_pf32"), 1_386_874)
    XCTAssertEqual(try count("mega_lra_pf32", chunk: 128), 1_376_122)
    XCTAssertEqual(try count("mega_lra_pf128"), 381_948)
    XCTAssertEqual(try count("mega_lra_pf128", chunk: 4096), 283_644)
    XCTAssertEqual(try count("mega_sc_raw_base"), 343_134)
    XCTAssertEqual(try count("mega_sc_raw_big"), 475_890)
  }

  func testSeqBoatClassifiers() throws {
    XCTAssertEqual(try count("slag_lra_listop"), 408_756)
    XCTAssertEqual(try count("slag_lra_imdb"), 633_484)
    XCTAssertEqual(try count("slag_lra_aan"), 1_058_218)
    XCTAssertEqual(try count("slag_lra_cifar10"), 1_810_001)
    XCTAssertEqual(try count("slag_lra_pf32"), 892_301)
    XCTAssertEqual(try count("slag_lra_pf128_base"), 729_097)
    XCTAssertEqual(try count("slag_lra_pf128_base", layers: 6), 1_076_621)
    XCTAssertEqual(try count("slag_sc_raw_base"), 298_841)
  }

  func testLanguageModels() throws {
    XCTAssertEqual(try count("mega_lm_enwik8_base"), 39_137_792)
    XCTAssertEqual(try count("slag_lm_enwik8_base_v2"), 39_074_490)
    XCTAssertEqual(try count("mega_lm_adaptive_big"), 252_237_824)
  }

  func testUnknownArchIsAnError() {
    XCTAssertThrowsError(try ModelConfig.preset("mega_lra_nope")) { error in
      XCTAssertTrue("\(error)".contains("unknown architecture 'mega_lra_nope'"))
    }
  }

  func testReportListsShapesAndTotal() throws {
    let report = try architectureReport("slag_lra_listop")
    let arch = makeModel(try ModelConfig.preset("slag_lra_listop")).parameterCount
    XCTAssertNotEqual(arch, try count("slag_lra_listop"), "the arch has an NFFN, the paper none")
    XCTAssertTrue(report.contains("parameters \(arch) "))
    XCTAssertTrue(
      report.split(separator: "\n").contains {
        $0.contains("layers.0.mega_layer.q_router.temp") && $0.hasSuffix("[1]  1")
      })
    XCTAssertTrue(report.contains("encoder.encoder.embed_tokens.embed.weight"))
  }
}
