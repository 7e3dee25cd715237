import Data
import Foundation
import TestSupport
import XCTest

/// Language-model training on the reference's variable blocks (`--variant-block-multiple-min/max`)
/// in `--max-tokens` batches: every epoch trains the blocks the reference would cut for it, and 2
/// ranks × 2 micro-batches (shares that can be empty) equal one process.
final class VariantBlockTrainingTests: XCTestCase {
  let model = [
    "--arch", "mega_lm_enwik8_base", "--decoder-layers", "2", "--decoder-embed-dim", "16",
    "--decoder-hidden-dim", "32", "--decoder-ffn-embed-dim", "32", "--decoder-z-dim", "8",
    "--decoder-n-dim", "4", "--decoder-chunk-size", "16", "--dropout", "0",
    "--max-target-positions", "64",
  ]

  func testEpochsTrainTheReferenceBlocksAndTwoRanksEqualOne() throws {
    let f = try TrainingFixture(count: 40)
    let data = f.path("stream.h5")
    try TrainingFixture.writeStream(data, lines: 150)
    func args(_ name: String, _ extra: [String]) -> [String] {
      ["train"] + model + [
        "--data", data, "--save-dir", f.path(name), "--log-file", f.path(name + ".jsonl"),
        "--max-epoch", "2", "--max-tokens", "160", "--sample-break-mode", "complete",
        "--variant-block-multiple-min", "2", "--variant-block-multiple-max", "4", "--lr", "0.01",
        "--clip-norm", "0.25", "--seed", "7", "--tokens-per-sample", "48", "--valid-block",
        "splits:3",
      ] + extra
    }
    let one = try SeqboatJob.run(ranks: nil, args("one", []))
    XCTAssertEqual(one.exitCode, 0, one.output)
    let two = try SeqboatJob.run(ranks: 2, args("two", ["--update-freq", "2"]), limit: 300)
    XCTAssertEqual(two.exitCode, 0, two.output)
    let split = try DatasetFile.open(data).split("train")
    let variant = try VariantBlocks(base: 16, minMultiple: 2, maxMultiple: 4, seed: 7)
    let records = try f.updates("one")
    for epoch in [1, 2] {
      let blocks = try variant.blocks(lineOffsets: split.lineOffsets, epoch: epoch)
      let trained = records.filter { $0["epoch"] as? Int == epoch }
      XCTAssertEqual(trained.map { $0["bsz"] as! Int }.reduce(0, +), blocks.count, "epoch \(epoch)")
      XCTAssertEqual(
        trained.map { $0["wpb"] as! Int }.reduce(0, +), blocks.reduce(0) { $0 + $1.count })
      XCTAssertTrue(trained.allSatisfy { ($0["wpb"] as! Int) <= 160 })
    }
    XCTAssertNotEqual(
      try variant.blocks(lineOffsets: split.lineOffsets, epoch: 1),
      try variant.blocks(lineOffsets: split.lineOffsets, epoch: 2))
    XCTAssertTrue(records.contains { ($0["bsz"] as! Int) < 4 }, "some shares of 2 × 2 are empty")
    // --valid-block: validation is Mega's own evaluation, one chunk per segment.
    let eval = try SeqboatJob.run(
      ranks: nil,
      [
        "eval", "--checkpoint", f.path("one/checkpoint_last.h5"), "--data", data, "--split",
        "valid", "--valid-block", "splits:3", "--test-chunk-size", "16", "--chunk-nums", "1",
      ])
    XCTAssertEqual(eval.exitCode, 0, eval.output)
    let validated = try XCTUnwrap(try f.evaluations("one").last?["loss"] as? Double)
    XCTAssertTrue(
      eval.output.contains("| bpc \(String(format: "%.4g", validated)) | loss"), eval.output)
    assertSameLosses(try f.losses("one"), try f.losses("two"), relative: 1e-5)
    assertSameParameters(try f.checkpoint("one"), try f.checkpoint("two"), tolerance: 1e-4)
  }
}
