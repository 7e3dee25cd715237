import Foundation
import TestSupport
import XCTest

/// Language-model training on blocks of a token stream (`--tokens-per-sample`): 2 ranks equal one
/// process, and evaluation reports bits per character.
final class LanguageModelTrainingTests: XCTestCase {
  func testTwoRanksEqualOneProcessAndEvalReportsBPC() throws {
    let f = try TrainingFixture(count: 100)
    let data = f.path("stream.h5")
    try TrainingFixture.writeStream(data, lines: 120)
    let model = [
      "--arch", "mega_lm_enwik8_base", "--decoder-layers", "2", "--decoder-embed-dim", "16",
      "--decoder-hidden-dim", "32", "--decoder-ffn-embed-dim", "32", "--decoder-z-dim", "8",
      "--decoder-n-dim", "4", "--decoder-chunk-size", "16", "--dropout", "0",
      "--max-target-positions", "64",
    ]
    func args(_ name: String) -> [String] {
      ["train"] + model + [
        "--data", data, "--save-dir", f.path(name), "--log-file", f.path(name + ".jsonl"),
        "--max-update", "12", "--batch-size", "4", "--tokens-per-sample", "32", "--lr", "0.01",
        "--clip-norm", "0.25", "--seed", "2",
      ]
    }
    let one = try SeqboatJob.run(ranks: nil, args("one"))
    XCTAssertEqual(one.exitCode, 0, one.output)
    let two = try SeqboatJob.run(ranks: 2, args("two"))
    XCTAssertEqual(two.exitCode, 0, two.output)
    let losses = try f.losses("one")
    XCTAssertEqual(losses.count, 12)
    XCTAssertLessThan(losses.last!, losses.first!, "the model learns the pattern")
    assertSameLosses(losses, try f.losses("two"), relative: 1e-5)
    assertSameParameters(try f.checkpoint("one"), try f.checkpoint("two"), tolerance: 1e-4)
    let validation = try XCTUnwrap(try f.evaluations("two").last)
    XCTAssertEqual(validation["bpc"] as? Double, validation["loss"] as? Double)
    let eval = try SeqboatJob.run(
      ranks: 2,
      ["eval", "--checkpoint", f.path("two/checkpoint_last.h5"), "--data", data, "--split", "test"])
    XCTAssertEqual(eval.exitCode, 0, eval.output)
    XCTAssertTrue(eval.output.contains("test | bpc "), eval.output)
    XCTAssertTrue(eval.output.contains("| ppl "), eval.output)
    let windows = [
      "eval", "--checkpoint", f.path("two/checkpoint_last.h5"), "--data", data, "--split", "test",
      "--context-window", "8", "--tokens-per-sample", "24", "--batch-size", "3",
    ]
    let oneWindow = try SeqboatJob.run(ranks: nil, windows)
    let twoWindows = try SeqboatJob.run(ranks: 2, windows)
    XCTAssertEqual(oneWindow.exitCode, 0, oneWindow.output)
    XCTAssertEqual(twoWindows.exitCode, 0, twoWindows.output)
    let line = oneWindow.output.split(separator: "\n").first { $0.hasPrefix("test | bpc") }
    XCTAssertNotNil(line, oneWindow.output)
    XCTAssertTrue(twoWindows.output.contains(line ?? "-"), twoWindows.output)
  }
}
