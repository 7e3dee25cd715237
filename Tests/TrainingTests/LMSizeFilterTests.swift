import Foundation
import TestSupport
import XCTest

/// Language-model blocks longer than `--tokens-per-sample` or the model's positions (one long
/// line in `complete` or `eos` mode) are dropped with a count, as fairseq's size filter does,
/// instead of stopping training.
final class LMSizeFilterTests: XCTestCase {
  /// Lines 5, 20 and 41 of every split are 71 tokens long.
  private let longLines: Set<Int> = [5, 20, 41]

  private func args(_ f: TrainingFixture, _ data: String, _ name: String, _ extra: [String])
    -> [String]
  {
    [
      "train", "--arch", "mega_lm_enwik8_base", "--decoder-layers", "1", "--decoder-embed-dim",
      "16", "--decoder-hidden-dim", "32", "--decoder-ffn-embed-dim", "32", "--decoder-z-dim", "8",
      "--decoder-n-dim", "4", "--decoder-chunk-size", "16", "--dropout", "0",
      "--max-target-positions", "64", "--data",
      data, "--save-dir", f.path(name), "--log-file", f.path(name + ".jsonl"), "--max-update",
      "3", "--batch-size", "4", "--lr", "0.01", "--seed", "2",
    ] + extra
  }

  func testLongLinesAreDroppedAndCountedInEveryBreakMode() throws {
    let f = try TrainingFixture(count: 100)
    let data = f.path("stream.h5")
    try TrainingFixture.writeStream(data, lines: 60, longLines: longLines)
    // complete: a long line is a block of its own and dropped; eos: every line is a block.
    for mode in ["complete", "eos"] {
      let job = try SeqboatJob.run(
        ranks: nil,
        args(f, data, mode, ["--sample-break-mode", mode, "--tokens-per-sample", "32"]))
      XCTAssertEqual(job.exitCode, 0, job.output)
      XCTAssertEqual(try f.updates(mode).count, 3, mode)
      let drops = try f.drops(mode)
      XCTAssertEqual(drops.map { $0["split"] as? String }, ["train", "valid"], mode)
      for record in drops {
        XCTAssertEqual(record["dropped_blocks"] as? Int, 3, mode)
        XCTAssertEqual(record["dropped_tokens"] as? Int, 3 * 71, mode)
        XCTAssertEqual(record["max_length"] as? Int, 32, mode)
        let line =
          "split \(record["split"]!): dropped 3 of \(3 + (record["kept_blocks"] as! Int)) "
          + "blocks (213 tokens) longer than 32 tokens"
        XCTAssertTrue(job.output.contains(line), job.output)
      }
      XCTAssertEqual(try f.evaluations(mode).count, 1, mode)
      let eval = try SeqboatJob.run(
        ranks: nil,
        ["eval", "--checkpoint", f.path(mode + "/checkpoint_last.h5"), "--data", data])
      XCTAssertEqual(eval.exitCode, 0, eval.output)
      XCTAssertTrue(eval.output.contains("split test: dropped 3 of "), eval.output)
      XCTAssertTrue(eval.output.contains("test | bpc "), eval.output)
    }
    // none: blocks of --tokens-per-sample never exceed it; nothing to drop or report.
    let none = try SeqboatJob.run(
      ranks: nil,
      args(f, data, "none", ["--sample-break-mode", "none", "--tokens-per-sample", "32"]))
    XCTAssertEqual(none.exitCode, 0, none.output)
    XCTAssertEqual(try f.drops("none").count, 0)
    XCTAssertFalse(none.output.contains("dropped"), none.output)
  }

  func testASplitWithEveryBlockDroppedIsAnError() throws {
    let f = try TrainingFixture(count: 100)
    let data = f.path("stream.h5")
    try TrainingFixture.writeStream(data, lines: 40)
    // Every line has 9 or more tokens: with blocks of 8, each is a block of its own, too long.
    let job = try SeqboatJob.run(
      ranks: nil,
      args(
        f, data, "all",
        [
          "--sample-break-mode", "complete", "--tokens-per-sample", "8",
          "--skip-invalid-size-inputs-valid-test",
        ]))
    XCTAssertNotEqual(job.exitCode, 0)
    XCTAssertTrue(
      job.output.contains(
        "split train: all 40 blocks (--sample-break-mode complete) are longer than 8 tokens "
          + "(--tokens-per-sample 8, max positions 64); nothing is left"), job.output)
  }
}
