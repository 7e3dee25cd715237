import Foundation
import TestSupport
import XCTest

/// Validation and `seqboat eval` report progress on a non-terminal stderr: a line per
/// `SEQBOAT_PROGRESS_SECONDS` (batches done/total, sentences per second, time left) from rank 0
/// only, and a final line.
final class EvaluationProgressTests: XCTestCase {
  /// The progress lines of `job` for `label`.
  private func progress(_ job: SeqboatJob, _ label: String) -> [Substring] {
    job.lines(containing: "\(label): ").filter { $0.hasPrefix("\(label): ") }
  }

  func testValidationAndEvalReportProgress() throws {
    let f = try TrainingFixture()
    let everyBatch = ["SEQBOAT_PROGRESS_SECONDS": "0"]
    let train = try SeqboatJob.run(
      ranks: 2,
      f.train(TrainingFixture.mega, "run", updates: 3, batch: 4, ["--batch-size-valid", "2"]),
      environment: everyBatch)
    XCTAssertEqual(train.exitCode, 0, train.output)
    let validation = progress(train, "valid on 'valid'")
    XCTAssertFalse(validation.isEmpty, train.output)
    XCTAssertTrue(validation.last?.contains(" batches (100%)") ?? false, train.output)
    XCTAssertEqual(
      validation.filter { !$0.contains("ETA") }.count, try f.evaluations("run").count,
      "one final line per validation, from rank 0 only:\n\(train.output)")

    let eval = [
      "eval", "--checkpoint", f.path("run/checkpoint_last.h5"), "--data", f.data, "--split",
      "valid", "--batch-size", "1",
    ]
    let each = try SeqboatJob.run(ranks: nil, eval, limit: 60, environment: everyBatch)
    XCTAssertEqual(each.exitCode, 0, each.output)
    let lines = progress(each, "eval valid")
    let total = try XCTUnwrap(
      lines.first.flatMap { Int($0.split(separator: "/")[1].prefix { $0.isNumber }) })
    XCTAssertGreaterThan(total, 1)
    XCTAssertEqual(lines.count, total, "a line per batch, the last one final:\n\(each.output)")
    for (index, line) in lines.dropLast().enumerated() {
      XCTAssertTrue(line.hasPrefix("eval valid: \(index + 1)/\(total) batches ("), "\(line)")
      XCTAssertTrue(line.contains(" sentences/s, ETA "), "\(line)")
    }
    XCTAssertTrue(lines.last?.hasPrefix("eval valid: \(total)/\(total) batches (100%)") ?? false)

    let quiet = try SeqboatJob.run(
      ranks: nil, eval, limit: 60, environment: ["SEQBOAT_PROGRESS_SECONDS": "3600"])
    XCTAssertEqual(quiet.exitCode, 0, quiet.output)
    XCTAssertEqual(progress(quiet, "eval valid").count, 1, "only the final line:\n\(quiet.output)")
  }
}
