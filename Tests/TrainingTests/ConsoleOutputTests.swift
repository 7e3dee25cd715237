import Foundation
import TestSupport
import XCTest

/// What `seqboat train` shows on a non-terminal standard output: fairseq's start-up header, lines
/// of interval averages every `--log-interval` updates, the end-of-epoch summary and validations,
/// in the `--log-format` chosen; `--log-file` keeps one record per update whatever the format.
final class ConsoleOutputTests: XCTestCase {
  private func lines(_ job: SeqboatJob, prefix: String) -> [Substring] {
    job.output.split(separator: "\n").filter { $0.hasPrefix(prefix) }
  }

  func testSimpleLinesAtTheLogInterval() throws {
    let f = try TrainingFixture(count: 100)
    let job = try SeqboatJob.run(
      ranks: 2, f.train(TrainingFixture.mega, "s", updates: 8, ["--log-interval", "2"]),
      limit: 120)
    XCTAssertEqual(job.exitCode, 0, job.output)
    let interval = lines(job, prefix: "| epoch ").filter { $0.contains(" / ") }
    let updates = interval.compactMap { line in
      line.split(separator: " ").first { $0.hasPrefix("num_updates=") }
        .flatMap { Int($0.dropFirst(12).prefix { $0.isNumber }) }
    }
    XCTAssertEqual(updates, [2, 4, 6, 8], job.output)
    for line in interval {
      for key in ["loss=", "accuracy=", "wps=", "ups=", "wpb=", "bsz=", "lr=", "gnorm=", "wall="] {
        XCTAssertTrue(line.contains(key), "\(key) in \(line)")
      }
    }
    XCTAssertFalse(job.output.contains("loss_scale"), "no loss scale without --fp16")
    XCTAssertEqual(lines(job, prefix: "| epoch 001 | loss ").count, 1, job.output)
    XCTAssertFalse(lines(job, prefix: "| epoch 001 | valid on 'valid' subset | ").isEmpty)
    XCTAssertEqual(lines(job, prefix: "| num. model params: ").count, 1, job.output)
    XCTAssertEqual(lines(job, prefix: "| training on 2 ranks").count, 1, job.output)
    let saved = job.lines(containing: "saved checkpoint ")
    XCTAssertFalse(saved.isEmpty, job.output)
    XCTAssertTrue(saved.allSatisfy { $0.contains("B, writing took ") }, "\(saved)")
    XCTAssertEqual(try f.updates("s").map { $0["update"] as? Int }, (1...8).map { $0 })
  }

  func testJSONLinesCarryFairseqKeys() throws {
    let f = try TrainingFixture(count: 100)
    let job = try SeqboatJob.run(
      ranks: nil,
      f.train(
        TrainingFixture.mega, "j", updates: 6, ["--log-interval", "3", "--log-format", "json"]),
      limit: 120)
    XCTAssertEqual(job.exitCode, 0, job.output)
    let objects = try lines(job, prefix: "{").map {
      try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
    let interval = objects.filter { $0["update"] != nil }
    XCTAssertEqual(interval.count, 2, job.output)
    let keys = [
      "epoch", "update", "loss", "accuracy", "wps", "ups", "wpb", "bsz", "num_updates", "lr",
      "gnorm", "clip", "wall",
    ]
    for o in interval { XCTAssertEqual(Set(o.keys), Set(keys), "\(o)") }
    XCTAssertEqual(interval.map { $0["num_updates"] as? String }, ["3", "6"])
    let summary = objects.filter { $0["train_loss"] != nil }
    XCTAssertEqual(summary.count, 1, job.output)
    XCTAssertEqual(Set(summary[0].keys), Set(["epoch"] + keys.dropFirst(2).map { "train_" + $0 }))
    let valid = objects.filter { $0["valid_loss"] != nil }
    XCTAssertFalse(valid.isEmpty, job.output)
    XCTAssertEqual(
      Set(valid[0].keys),
      ["epoch", "valid_loss", "valid_accuracy", "valid_num_updates", "valid_best_accuracy"])
    XCTAssertTrue(lines(job, prefix: "| epoch").isEmpty, "no simple lines in json mode")
  }

  func testNoneShowsNoProgressAndWallContinuesAcrossAResume() throws {
    let f = try TrainingFixture(count: 100)
    let first = try SeqboatJob.run(
      ranks: nil,
      f.train(
        TrainingFixture.mega, "w", updates: 3, ["--log-interval", "1", "--log-format", "none"]),
      limit: 120)
    XCTAssertEqual(first.exitCode, 0, first.output)
    XCTAssertTrue(lines(first, prefix: "| epoch").isEmpty, first.output)
    XCTAssertTrue(lines(first, prefix: "{").isEmpty, first.output)
    let saved = try XCTUnwrap(try f.checkpoint("w").wall)
    let second = try SeqboatJob.run(
      ranks: nil, f.train(TrainingFixture.mega, "w", updates: 6, ["--log-interval", "1"]),
      limit: 120)
    XCTAssertEqual(second.exitCode, 0, second.output)
    let walls = try f.updates("w").map { try XCTUnwrap($0["wall"] as? Double) }
    XCTAssertEqual(walls.count, 6)
    XCTAssertGreaterThanOrEqual(walls[3], saved, "the resumed run's wall starts at the saved one")
    XCTAssertGreaterThan(try XCTUnwrap(try f.checkpoint("w").wall), saved)
  }
}
