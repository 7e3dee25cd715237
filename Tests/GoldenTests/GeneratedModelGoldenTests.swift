import Foundation
import Golden
import XCTest

/// The model cases under `Tests/Fixtures/golden-generated`, made by
/// `tools/golden/make_model_goldens.py` from the reference on random valid configurations of every
/// family (LRA text, retrieval and image, raw audio, Mega and SeqBoat language models) and a few
/// hand-picked edge cases: each one matches, except the adaptive-softmax forms we do not build,
/// which are refused with one line naming the argument.
final class GeneratedModelGoldenTests: XCTestCase {
  static var directory: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/golden-generated")
  }

  /// Cases refused on purpose, and the argument their one-line refusal names.
  static let refused = [
    "extra_lm_mega_adaptive_input_only": "'tie_adaptive_weights' is false",
    "extra_lm_mega_adaptive_untied_softmax": "'tie_adaptive_weights' is false",
    "extra_lm_mega_adaptive_tied_noproj": "'tie_adaptive_proj' is false",
  ]

  func testEveryGeneratedCaseMatchesTheReferenceOrIsRefusedByName() throws {
    let dir = Self.directory
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
      .filter { $0.hasSuffix(".h5") }.sorted()
    XCTAssertGreaterThanOrEqual(names.count, 46, "fixtures under \(dir.path)")
    for name in names {
      let stem = String(name.dropLast(3))
      var lines: [String] = []
      let (passed, failed) = GoldenVerifier().verify(
        files: [dir.appendingPathComponent(name).path]
      ) { lines.append($0) }
      if let why = Self.refused[stem] {
        XCTAssertEqual(failed, 1, stem)
        XCTAssertTrue(lines.contains { $0.contains("unsupported") && $0.contains(why) }, stem)
      } else {
        XCTAssertEqual(passed, 1, stem)
        XCTAssertEqual(
          failed, 0, lines.filter { !$0.hasSuffix(" ok") && !$0.contains(" ok (") }.joined())
      }
    }
  }
}
