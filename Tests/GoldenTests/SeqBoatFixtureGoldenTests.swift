import Foundation
import Golden
import XCTest

/// The SeqBoat layer cases committed under `Tests/Fixtures/golden-seqboat` (made by
/// `tools/golden/seqboat_layer_cases.py` from the reference): laplace attention, windowed and
/// global, and the global mode (`chunk_size -1`) with every attention function.
final class SeqBoatFixtureGoldenTests: XCTestCase {
  static var directory: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/golden-seqboat")
  }

  func testEveryCommittedSeqBoatFixtureMatchesTheReference() throws {
    let dir = Self.directory
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
      .filter { $0.hasSuffix(".h5") }.sorted().map { dir.appendingPathComponent($0).path }
    XCTAssertEqual(files.count, 10, "fixtures under \(dir.path)")
    var lines: [String] = []
    let (passed, failed) = GoldenVerifier().verify(files: files) { lines.append($0) }
    XCTAssertEqual(passed, files.count)
    XCTAssertEqual(
      failed, 0,
      lines.filter { !$0.hasSuffix(" ok") && !$0.contains(" ok (") }.joined(separator: "\n"))
    let exact = lines.filter { $0.contains("/router/layer0/active") || $0.contains("compressed") }
    XCTAssertEqual(exact.count, 3 * files.count)
    XCTAssertTrue(exact.allSatisfy { $0.contains("err=0.000e+00 tol=exact ok") })
    for mode in ["laplace_local", "laplace_global", "relu2_global", "softmax_global"] {
      XCTAssertTrue(lines.contains { $0.contains(mode) && $0.contains("/outputs/out ") }, mode)
    }
  }
}
