import Models
import XCTest

/// Every preset's parameter count equals MODEL.md §7.3 (reference implementations, tied weights
/// once, vocabularies as stated there).
final class PresetParameterCountTests: XCTestCase {
  func count(_ name: String, chunk: Int? = nil, layers: Int? = nil) throws -> Int {
    var config = try ModelConfig.preset(name)
    if let chunk { config.chunkSize = chunk }
    if let layers { config.layers = layers }
    return Model(config).module.parameterCount
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
    XCTAssertTrue(report.contains("parameters 408756"))
    XCTAssertTrue(
      report.split(separator: "\n").contains {
        $0.contains("layers.0.mega_layer.q_router.temp") && $0.hasSuffix("[1]  1")
      })
    XCTAssertTrue(report.contains("encoder.encoder.embed_tokens.embed.weight"))
  }
}
