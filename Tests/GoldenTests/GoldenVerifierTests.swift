import Foundation
import Golden
import XCTest

final class GoldenVerifierTests: XCTestCase {
  private func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("golden-\(getpid())-\(name)").path
  }

  private func run(_ paths: [String]) -> (lines: [String], passed: Int, failed: Int) {
    var lines: [String] = []
    let (passed, failed) = GoldenVerifier().verify(files: paths) { lines.append($0) }
    return (lines, passed, failed)
  }

  /// Every Mega-side reference case (ema, seqboat_ema, norm, nffn, mega attention and layers).
  func testMegaLayerCasesMatchTheReference() throws {
    let files = try GoldenFixtures.files(prefixes: ["ema_", "mega_", "nffn_", "norm_"])
    XCTAssertEqual(files.count, 21, "golden files under \(GoldenFixtures.directory.path)")
    let (lines, passed, failed) = run(files)
    XCTAssertEqual(
      failed, 0,
      lines.filter { $0.contains("FAIL") || $0.contains("unsupported") }
        .joined(separator: "\n"))
    XCTAssertEqual(passed, files.count)
    XCTAssertEqual(lines.last, "\(files.count) passed, 0 failed")
    XCTAssertTrue(
      lines.contains { $0.hasPrefix("norm_batchnorm_train /outputs/num_batches_tracked") })
    XCTAssertTrue(
      lines.contains {
        $0.hasPrefix("mega_attention_relu2_causal_unchunked_simple /outputs/attn_weights")
      })
  }

  func testNonHDF5FileGivesOneLineNamingIt() throws {
    let path = temporaryPath("text.h5")
    try "not hdf5".write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let (lines, passed, failed) = run([path])
    XCTAssertEqual(lines.count, 2)
    XCTAssertTrue(lines[0].hasPrefix(path + ": cannot open as HDF5"), lines[0])
    XCTAssertEqual(passed, 0)
    XCTAssertEqual(failed, 1)
  }

  func testMissingDatasetIsReportedAsInvalid() throws {
    let path = temporaryPath("empty.h5")
    try GoldenFixtures.writeSkeleton(
      path, kind: "ema",
      config: #"{"bidirectional": true, "embed_dim": 4, "ndim": 2, "truncation": null}"#)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let (lines, _, failed) = run([path])
    XCTAssertEqual(failed, 1)
    XCTAssertEqual(lines.first, path + ": group '/inputs' is missing")
  }

  func testUnknownKindAndUnsupportedConfigCountAsFailures() throws {
    let kindPath = temporaryPath("kind.h5")
    let configPath = temporaryPath("config.h5")
    try GoldenFixtures.writeSkeleton(kindPath, kind: "quantum_layer", config: "{}")
    try GoldenFixtures.writeSkeleton(
      configPath, kind: "norm",
      config: #"{"affine": true, "embedding_dim": 4, "eps": 1e-5, "norm_type": "groupnorm"}"#)
    defer {
      try? FileManager.default.removeItem(atPath: kindPath)
      try? FileManager.default.removeItem(atPath: configPath)
    }
    let (lines, passed, failed) = run([kindPath, configPath])
    XCTAssertEqual(lines[0], "skeleton unsupported: kind 'quantum_layer' (\(kindPath))")
    XCTAssertEqual(lines[1], "skeleton unsupported: config norm_type = 'groupnorm'")
    XCTAssertEqual(lines[2], "0 passed, 2 failed")
    XCTAssertEqual(passed, 0)
    XCTAssertEqual(failed, 2)
  }

  func testBadConfigJSONIsReportedAsInvalid() throws {
    let path = temporaryPath("json.h5")
    try GoldenFixtures.writeSkeleton(path, kind: "norm", config: "{not json")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let (lines, _, failed) = run([path])
    XCTAssertEqual(failed, 1)
    XCTAssertEqual(lines.first, path + ": attribute 'config' is not a JSON object")
  }

  /// A configuration the layer cannot run (bias table shorter than the sequence, input width not
  /// the config's) gives one line, not a crash.
  func testImpossibleConfigurationsAreReportedNotFatal() throws {
    let attention = #"""
      {"activation": "silu", "attention_activation": "softmax", "bidirectional": true,
       "chunk_size": -1, "embed_dim": 4, "hdim": 4, "max_positions": 3, "ndim": 2,
       "norm_type": "layernorm", "prenorm": true, "rel_pos_bias": "simple", "truncation": null,
       "zdim": 4}
      """#
    let shortTable = temporaryPath("table.h5")
    try GoldenFixtures.writeSkeleton(
      shortTable, kind: "mega_attention", config: attention,
      input: ([5, 1, 4], .init(repeating: 0.5, count: 20)))
    let wrongWidth = temporaryPath("width.h5")
    try GoldenFixtures.writeSkeleton(
      wrongWidth, kind: "norm",
      config: #"{"affine": true, "embedding_dim": 4, "eps": 1e-5, "norm_type": "layernorm"}"#,
      input: ([2, 1, 3], .init(repeating: 1, count: 6)))
    defer {
      try? FileManager.default.removeItem(atPath: shortTable)
      try? FileManager.default.removeItem(atPath: wrongWidth)
    }
    let (lines, _, failed) = run([shortTable, wrongWidth])
    XCTAssertEqual(failed, 2)
    XCTAssertEqual(lines[0], shortTable + ": chunk of 5 positions exceeds max_positions 3")
    XCTAssertEqual(
      lines[1], wrongWidth + ": input 'x' has shape [2, 1, 3], expected [L, B, 4] for the config")
  }
}
