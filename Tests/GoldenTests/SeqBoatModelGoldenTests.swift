import Foundation
import Golden
import XCTest

/// The SeqBoat layer, model and trajectory reference cases (golden README *Case files*).
final class SeqBoatModelGoldenTests: XCTestCase {
  private func verify(_ prefixes: [String], count: Int) throws -> [String] {
    let files = try GoldenFixtures.files(prefixes: prefixes)
    XCTAssertEqual(files.count, count, "golden files under \(GoldenFixtures.directory.path)")
    var lines: [String] = []
    let (_, failed) = GoldenVerifier().verify(files: files) { lines.append($0) }
    XCTAssertEqual(
      failed, 0,
      lines.filter { !$0.hasSuffix(" ok") && !$0.contains(" ok (") }.joined(separator: "\n"))
    return lines
  }

  func testSeqBoatLayerCasesIncludingExactRouterDecisions() throws {
    let lines = try verify(["seqboat_layer_"], count: 9)
    let exact = lines.filter { $0.contains("/router/layer0/active") || $0.contains("compressed") }
    XCTAssertEqual(exact.count, 27)
    XCTAssertTrue(exact.allSatisfy { $0.contains("err=0.000e+00 tol=exact ok") })
  }

  func testModelCases() throws {
    let lines = try verify(["model_"], count: 9)
    XCTAssertTrue(lines.contains { $0.hasPrefix("model_lm_adaptive_mega /outputs/lprobs") })
    XCTAssertTrue(
      lines.contains { $0.hasPrefix("model_lra_listops_seqboat /outputs/router/layer1") })
  }

  func testTrainingTrajectories() throws {
    let lines = try verify(["train_trajectory_"], count: 2)
    for series in ["loss", "grad_norm", "lr"] {
      XCTAssertEqual(lines.filter { $0.contains("/trajectory/\(series)[step ") }.count, 2)
    }
  }

  func testModelCaseWithoutArgsIsReportedNotCrashed() throws {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("golden-model-\(getpid()).h5").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try GoldenFixtures.writeSkeleton(
      path, kind: "model_lra", config: #"{"model_class": "LRAModel", "arch": "x"}"#)
    var lines: [String] = []
    let (_, failed) = GoldenVerifier().verify(files: [path]) { lines.append($0) }
    XCTAssertEqual(failed, 1)
    XCTAssertTrue(lines.contains { $0.contains("config lacks model_class, arch, task.vocab_size") })
  }
}
