import Data
import Foundation
import TestSupport
import Training
import XCTest

/// `seqboat eval --mega-eval` (Mega's `eval_mega_lm.py` protocol, MODEL.md §5.9) on a tiny trained
/// Mega language model: the same figures on 1 and 2 ranks, every token scored once, the dataset
/// task's defaults, and one-line errors for bad values.
final class MegaLMEvaluationTests: XCTestCase {
  static let mega = [
    "--arch", "mega_lm_enwik8_base", "--decoder-layers", "2", "--decoder-embed-dim", "16",
    "--decoder-hidden-dim", "32", "--decoder-ffn-embed-dim", "32", "--decoder-z-dim", "8",
    "--decoder-n-dim", "4", "--decoder-chunk-size", "16", "--dropout", "0",
    "--max-target-positions", "64", "--rel-pos-bias", "rotary", "--normalize-before",
    "--no-affine-final-norm", "--share-decoder-input-output-embed",
  ]

  static let seqboat = [
    "--arch", "slag_lm_enwik8_base_v2", "--decoder-layers", "1", "--decoder-embed-dim", "16",
    "--decoder-hidden-dim", "32", "--decoder-z-dim", "8", "--decoder-n-dim", "4",
    "--decoder-chunk-size", "8", "--decoder-ffn-embed-dim=-1",
    "--dropout", "0", "--max-target-positions", "64", "--rel-pos-bias", "rotary",
    "--normalize-before", "--no-affine-final-norm", "--share-decoder-input-output-embed",
  ]

  /// Trains `model` for `updates` updates on `data` into `f/name`.
  private func train(_ f: TrainingFixture, _ model: [String], _ name: String, updates: Int)
    throws
  {
    let job = try SeqboatJob.run(
      ranks: nil,
      ["train"] + model + [
        "--data", f.path("stream.h5"), "--save-dir", f.path(name), "--log-file",
        f.path(name + ".jsonl"), "--max-update", "\(updates)", "--batch-size", "4",
        "--tokens-per-sample", "32", "--sample-break-mode", "complete", "--lr", "0.01",
        "--seed", "2",
      ])
    XCTAssertEqual(job.exitCode, 0, job.output)
  }

  /// `eval` of checkpoint `f/name` on the test split with `extra` flags.
  private func eval(_ f: TrainingFixture, _ name: String, ranks: Int?, _ extra: [String]) throws
    -> SeqboatJob
  {
    try SeqboatJob.run(
      ranks: ranks,
      [
        "eval", "--checkpoint", f.path(name + "/checkpoint_last.h5"), "--data",
        f.path("stream.h5"), "--split", "test",
      ] + extra)
  }

  /// The `test | …` line of a job's output.
  private func resultLine(_ job: SeqboatJob) -> String? {
    job.output.split(separator: "\n").first { $0.hasPrefix("test | ") }.map(String.init)
  }

  /// The value of `key` in a `key value | …` line.
  private func value(_ key: String, in line: String) -> Double? {
    line.components(separatedBy: " | ").compactMap { pair -> Double? in
      let parts = pair.split(separator: " ")
      return parts.count == 2 && parts[0] == key ? Double(parts[1]) : nil
    }.first
  }

  func testOneAndTwoRanksAgreeAndEveryTokenIsScoredOnce() throws {
    let f = try TrainingFixture(count: 10)
    try TrainingFixture.writeStream(f.path("stream.h5"), lines: 120)
    try train(f, Self.mega, "mega", updates: 12)
    let split = try DatasetFile.open(f.path("stream.h5")).split("test")
    let total = Double(split.lineOffsets.last!)
    let flags = ["--valid-block", "splits:5", "--test-chunk-size", "8", "--chunk-nums", "2"]
    let one = try eval(f, "mega", ranks: nil, flags)
    let two = try eval(f, "mega", ranks: 2, flags)
    XCTAssertEqual(one.exitCode, 0, one.output)
    XCTAssertEqual(two.exitCode, 0, two.output)
    let line = try XCTUnwrap(resultLine(one), one.output)
    XCTAssertEqual(resultLine(two), line)
    let blocks = try MegaLMEvaluation.blocks(of: split, .splits(5))
    XCTAssertEqual(value("blocks", in: line), Double(blocks.count), line)
    XCTAssertEqual(value("tokens", in: line), total, line)
    let bpc = try XCTUnwrap(value("bpc", in: line), line)
    XCTAssertEqual(value("loss", in: line), bpc)
    XCTAssertEqual(try XCTUnwrap(value("ppl", in: line)), pow(2, bpc), accuracy: 0.01 * pow(2, bpc))
    let whole = try eval(
      f, "mega", ranks: nil,
      ["--valid-block", "splits:5", "--test-chunk-size", "8", "--chunk-nums", "64"])
    let wholeLine = try XCTUnwrap(resultLine(whole), whole.output)
    XCTAssertEqual(
      try XCTUnwrap(value("bpc", in: wholeLine)), bpc, accuracy: 2e-3,
      "segments of 16 with carried states = one pass per block")
    let training = try eval(
      f, "mega", ranks: nil,
      ["--valid-block", "size:32", "--test-chunk-size", "16", "--chunk-nums", "2"])
    let plain = try eval(f, "mega", ranks: nil, [])
    let trainingLine = try XCTUnwrap(resultLine(training), training.output)
    let plainLine = try XCTUnwrap(resultLine(plain), plain.output)
    XCTAssertEqual(
      try XCTUnwrap(value("bpc", in: trainingLine)), try XCTUnwrap(value("bpc", in: plainLine)),
      accuracy: 2e-3, "the training blocks and chunk give the plain evaluation")
    let sized = try eval(
      f, "mega", ranks: 2, ["--valid-block", "size:400", "--test-chunk-size", "4"])
    XCTAssertEqual(sized.exitCode, 0, sized.output)
    let sizedLine = try XCTUnwrap(resultLine(sized), sized.output)
    XCTAssertEqual(
      value("blocks", in: sizedLine),
      Double(try MegaLMEvaluation.blocks(of: split, .size(400)).count))
    XCTAssertEqual(value("tokens", in: sizedLine), total)
    let defaults = try eval(f, "mega", ranks: nil, ["--mega-eval"])
    XCTAssertEqual(defaults.exitCode, 0, defaults.output)
    let defaultLine = try XCTUnwrap(resultLine(defaults), defaults.output)
    XCTAssertEqual(
      value("blocks", in: defaultLine),
      Double(try MegaLMEvaluation.blocks(of: split, .splits(50)).count), "enwik8: splits:50")
  }

  func testBadValuesStopWithOneLineNamingTheFlag() throws {
    let f = try TrainingFixture(count: 10)
    try TrainingFixture.writeStream(f.path("stream.h5"), lines: 40)
    try train(f, Self.mega, "mega", updates: 1)
    try train(f, Self.seqboat, "slag", updates: 1)
    let cases: [(String, [String], String)] = [
      ("mega", ["--valid-block", "splits:41"], "--valid-block splits:41: more blocks than the 40"),
      ("mega", ["--valid-block", "pieces:3"], "--valid-block 'pieces:3': expected splits:N"),
      ("mega", ["--valid-block", "size:0"], "--valid-block 'size:0'"),
      ("mega", ["--test-chunk-size", "0"], "--test-chunk-size 0 must be > 0"),
      ("mega", ["--chunk-nums", "0"], "--chunk-nums 0 must be > 0"),
      ("mega", ["--mega-eval", "--context-window", "8"], "cannot be combined with --mega-eval"),
      ("slag", ["--mega-eval"], "--mega-eval applies to Mega language models only"),
    ]
    for (name, flags, message) in cases {
      let job = try eval(f, name, ranks: nil, flags)
      XCTAssertNotEqual(job.exitCode, 0, "\(flags)")
      XCTAssertTrue(job.output.contains(message), "\(flags): \(job.output)")
      XCTAssertNil(resultLine(job), job.output)
    }
  }
}
