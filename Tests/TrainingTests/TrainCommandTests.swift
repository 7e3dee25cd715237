import TestSupport
import XCTest

/// `seqboat train` refuses configurations that do not fit with one line naming both values, and
/// `seqboat eval` gives the same metrics on any number of ranks.
final class TrainCommandTests: XCTestCase {
  func assertRefused(
    _ f: TrainingFixture, ranks: Int?, _ args: [String], mentions text: String,
    file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let job = try SeqboatJob.run(ranks: ranks, args, limit: 60)
    XCTAssertNotEqual(job.exitCode, 0, job.output, file: file, line: line)
    XCTAssertTrue(job.output.contains(text), job.output, file: file, line: line)
  }

  func testRefusedConfigurations() throws {
    let f = try TrainingFixture(count: 100)
    let mega = TrainingFixture.mega
    try assertRefused(
      f, ranks: 2, f.train(mega, "a", updates: 1, batch: 6, ["--update-freq", "2"]),
      mentions: "--batch-size 6 (global) is not divisible by --update-freq 2 x 2 ranks")
    try assertRefused(
      f, ranks: nil, f.train(mega + ["--vocab-size", "10"], "b", updates: 1),
      mentions: "vocab_size 24 does not fit --vocab-size 10")
    try assertRefused(
      f, ranks: nil, f.train(mega + ["--sentence-class-num", "2"], "c", updates: 1),
      mentions: "num_classes 10 does not match --sentence-class-num 2")
    try assertRefused(
      f, ranks: nil, f.train(mega + ["--encoder-layerz", "2"], "d", updates: 1),
      mentions: "unknown option --encoder-layerz (did you mean --encoder-layers?)")
    try assertRefused(
      f, ranks: nil, f.train(mega + ["--max-positions", "20"], "e", updates: 1),
      mentions: "max_length 40 exceeds --max-positions 20")
    try assertRefused(
      f, ranks: nil,
      f.train(["--arch", "mega_lra_cifar10", "--encoder-layers", "1"], "f", updates: 1),
      mentions: "input_kind tokens does not match model input realNumbers")
    try assertRefused(
      f, ranks: nil,
      f.train(["--arch", "mega_lm_adaptive_big", "--decoder-embed-dim", "8"], "g", updates: 1),
      mentions: "--decoder-embed-dim 8 is too narrow for --adaptive-input-factor 4 over 3 bands")
    try assertRefused(
      f, ranks: nil,
      f.train(
        [
          "--arch", "mega_lm_adaptive_big", "--adaptive-input-cutoff", "20000,10000",
          "--adaptive-softmax-cutoff", "20000,10000",
        ], "h", updates: 1),
      mentions: "--adaptive-input-cutoff 20000,10000 must increase strictly inside the vocabulary")
  }

  /// `--log-file` in a folder that does not exist yet: the folder is made (as the save folder is).
  func testLogFileFolderIsCreated() throws {
    let f = try TrainingFixture(count: 100)
    let log = f.path("logs/nested/run.jsonl")
    let job = try SeqboatJob.run(
      ranks: nil, f.train(TrainingFixture.mega, "g", updates: 2, ["--log-file", log]), limit: 60)
    XCTAssertEqual(job.exitCode, 0, job.output)
    let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
    XCTAssertGreaterThanOrEqual(lines.count, 2)
  }

  /// A `--log-file` on a full device (`/dev/full`: every write fails with ENOSPC) ends the run with
  /// one line naming the file and the reason, not a trap.
  func testFullLogDeviceIsOneLine() throws {
    let f = try TrainingFixture(count: 100)
    let job = try SeqboatJob.run(
      ranks: nil, f.train(TrainingFixture.mega, "full", updates: 2, ["--log-file", "/dev/full"]),
      limit: 60)
    XCTAssertEqual(job.exitCode, 1, job.output)
    XCTAssertTrue(
      job.output.contains("--log-file /dev/full: cannot write: No space left on device"),
      job.output)
  }

  func testEvalOnOneAndTwoRanksMatchesTheRunsValidation() throws {
    try assertEvalMatchesValidation(TrainingFixture.mega)
  }

  /// Without `--sync-bn` every rank keeps its own running statistics while training; as with
  /// DDP's buffer broadcast, validation uses rank 0's (those the checkpoint holds) on every rank.
  func testBatchNormValidationUsesRankZeroStatistics() throws {
    try assertEvalMatchesValidation(TrainingFixture.mega + ["--norm-type", "batchnorm"])
  }

  /// Trains `model` on 2 ranks; `seqboat eval` of its last checkpoint on 1 and 2 ranks prints the
  /// run's last validation loss and accuracy.
  func assertEvalMatchesValidation(_ model: [String]) throws {
    let f = try TrainingFixture()
    let train = try SeqboatJob.run(
      ranks: 2, f.train(model, "run", updates: 30, batch: 4, ["--lr", "0.02"]))
    XCTAssertEqual(train.exitCode, 0, train.output)
    let validation = try XCTUnwrap(try f.evaluations("run").last)
    let eval = [
      "eval", "--checkpoint", f.path("run/checkpoint_last.h5"), "--data", f.data, "--batch-size",
      "8",
    ]
    let one = try SeqboatJob.run(ranks: nil, eval + ["--split", "valid"], limit: 60)
    let two = try SeqboatJob.run(ranks: 2, eval + ["--split", "valid"], limit: 60)
    XCTAssertEqual(one.exitCode, 0, one.output)
    XCTAssertEqual(two.exitCode, 0, two.output)
    let accuracy = String(format: "accuracy %.4g", validation["accuracy"] as! Double)
    XCTAssertTrue(one.output.contains(accuracy), "\(accuracy)\n\(one.output)")
    XCTAssertTrue(two.output.contains(accuracy), "\(accuracy)\n\(two.output)")
    let loss = String(format: "loss %.4g", validation["loss"] as! Double)
    XCTAssertTrue(one.output.contains(loss), "\(loss)\n\(one.output)")
    XCTAssertTrue(two.output.contains(loss), "\(loss)\n\(two.output)")
  }
}
