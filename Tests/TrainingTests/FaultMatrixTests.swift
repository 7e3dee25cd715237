import Foundation
import TestSupport
import XCTest

@testable import Training

/// The fault matrix of issue 16, one test per row not covered elsewhere; each asserts the exit
/// status, the message and what was kept, and prints a `fault matrix |` line (case, exit status,
/// seconds to exit, what was kept). Rows tested elsewhere:
/// - option ranges, one line before MPI: `TrainOptionChecksTests`, `TrainFlagPropertyTests`;
/// - `--log-file` on a full device: `TrainCommandTests.testFullLogDeviceIsOneLine`;
/// - stale temporaries, a planted symbolic link:
///   `ResumeTests.testStaleTemporariesGoAndPlantedLinksAreRefused`;
/// - checkpoints but no `checkpoint_last.h5`: `ResumeTests.testSaveFolderWithoutLastCheckpointIsRefused`;
/// - SIGUSR1 during start-up: `ResumeTests.testStopRequestDuringStartUpIsKept`;
/// - a killed rank, a stopped rank, SIGKILL during a save: `TrainingFailureTests`;
/// - the `--reset-*` and `--finetune-from-model` flags: `ResetFlagTests`.
final class FaultMatrixTests: XCTestCase {
  let mega = TrainingFixture.mega

  func row(_ name: String, _ job: SeqboatJob, kept: String) {
    print(
      "fault matrix | \(name) | \(job.exitCode) | \(String(format: "%.2f", job.seconds)) | \(kept)")
  }

  /// A model option out of range under `mpirun -np 2`: one line naming it, exit 1, no MPI banner,
  /// nothing written.
  func testOutOfRangeOptionUnderMPI() throws {
    let f = try TrainingFixture(count: 100)
    let job = try SeqboatJob.run(
      ranks: 2, f.train(mega + ["--dropout", "1.5"], "bad", updates: 2), limit: 60)
    XCTAssertEqual(job.exitCode, 1, job.output)
    XCTAssertEqual(
      job.lines(containing: "seqboat"),
      ["seqboat: train: --dropout (dropout) is 1.5; must be in [0, 1)"])
    XCTAssertFalse(job.output.contains("MPI_ABORT"), job.output)
    XCTAssertFalse(FileManager.default.fileExists(atPath: f.path("bad")))
    row("--dropout 1.5, mpirun -np 2", job, kept: "nothing written")
  }

  /// A full `--save-dir` (a 2 MB tmpfs, filled after the first save): the save fails naming the
  /// file and "No space left on device"; `checkpoint_last.h5` keeps the previous checkpoint and no
  /// temporary is left.
  func testFullSaveDevice() throws {
    guard getuid() == 0 else { throw XCTSkip("mounting a tmpfs needs root") }
    let f = try TrainingFixture(count: 100)
    let mount = f.path("small")
    try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
    func system(_ tool: String, _ arguments: [String]) throws -> Int32 {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: tool)
      process.arguments = arguments
      try process.run()
      process.waitUntilExit()
      return process.terminationStatus
    }
    guard try system("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mount]) == 0 else {
      throw XCTSkip("mount -t tmpfs is not allowed")
    }
    defer { _ = try? system("/bin/umount", [mount]) }
    let first = try SeqboatJob.run(ranks: nil, f.train(mega, "small/run", updates: 2))
    XCTAssertEqual(first.exitCode, 0, first.output)
    XCTAssertTrue(FileManager.default.createFile(atPath: mount + "/fill", contents: nil))
    let filler = try XCTUnwrap(FileHandle(forWritingAtPath: mount + "/fill"))
    while (try? filler.write(contentsOf: Data(count: 4096))) != nil {}
    try? filler.close()
    let job = try SeqboatJob.run(ranks: nil, f.train(mega, "small/run", updates: 4))
    XCTAssertEqual(job.exitCode, 1, job.output)
    XCTAssertTrue(job.output.contains("cannot save: No space left on device"), job.output)
    XCTAssertEqual(try f.checkpoint("small/run").numUpdates, 2)
    let names = try FileManager.default.contentsOfDirectory(atPath: f.path("small/run"))
    XCTAssertFalse(names.contains { $0.contains(".tmp-") }, "\(names)")
    row("full --save-dir (tmpfs)", job, kept: "checkpoint_last.h5 of update 2, no temporaries")
  }

  /// Resuming with another data file, seed, batch, optimizer, precision or model: refused naming
  /// the field and both values; `checkpoint_last.h5` is untouched.
  func testResumeMismatches() throws {
    let f = try TrainingFixture(count: 100)
    let first = try SeqboatJob.run(ranks: nil, f.train(mega, "run", updates: 2))
    XCTAssertEqual(first.exitCode, 0, first.output)
    let other = f.path("other.h5")
    let prep = try SeqboatJob.run(
      ranks: nil,
      [
        "prep", "listops", "--generate", "100", "--out", other, "--min-len", "10", "--max-len",
        "40", "--seed", "4", "--quiet",
      ])
    XCTAssertEqual(prep.exitCode, 0, prep.output)
    let last = f.path("run/checkpoint_last.h5")
    let before = try Data(contentsOf: URL(fileURLWithPath: last))
    let cases: [(String, [String], String)] = [
      ("--data", ["--data", other], "--data is "),
      ("--seed", ["--seed", "6"], "--seed is 5 in the checkpoint but 6 in this run"),
      ("--batch-size", ["--batch-size", "8"], "--batch-size is 16 in the checkpoint but 8"),
      ("--optimizer", ["--optimizer", "radam"], "--optimizer is adam in the checkpoint but radam"),
      ("--fp16", ["--fp16"], "--fp16 is false in the checkpoint but true in this run"),
      ("model", [], "model --encoder-layers is 2 in the checkpoint but 3 in this run"),
    ]
    var deeper = mega
    deeper[deeper.firstIndex(of: "--encoder-layers")! + 1] = "3"
    for (name, change, message) in cases {
      let job = try SeqboatJob.run(
        ranks: nil, f.train(name == "model" ? deeper : mega, "run", updates: 4, change))
      XCTAssertEqual(job.exitCode, 1, job.output)
      XCTAssertEqual(job.lines(containing: message).count, 1, "\(name): \(job.output)")
      XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: last)), before, name)
      row("resume with another \(name)", job, kept: "checkpoint_last.h5 unchanged")
    }
  }

  /// A checkpoint without a run identity (older, or imported) resumes with one warning naming
  /// what cannot be checked.
  func testCheckpointWithoutIdentityResumesWithAWarning() throws {
    let f = try TrainingFixture(count: 100)
    XCTAssertEqual(try SeqboatJob.run(ranks: nil, f.train(mega, "run", updates: 2)).exitCode, 0)
    var saved = try f.checkpoint("run")
    saved.identity = nil
    try saved.write(to: f.path("run/checkpoint_last.h5"))
    let job = try SeqboatJob.run(ranks: nil, f.train(mega, "run", updates: 3))
    XCTAssertEqual(job.exitCode, 0, job.output)
    XCTAssertEqual(
      job.lines(containing: "has no run identity (an older or imported checkpoint)").count, 1,
      job.output)
    XCTAssertNotNil(try f.checkpoint("run").identity, "the next save has one")
    row("resume a checkpoint without identity", job, kept: "trained on, warning")
  }

  /// A flipped bit in `checkpoint_last.h5`'s largest weight: training is refused naming the
  /// dataset and the newest valid checkpoint (`checkpoint_best.h5`, saved just before it) with
  /// `--restore-file`; `eval` is refused too; following the hint
  /// resumes. NaN in a weight is refused naming the tensor.
  func testCorruptCheckpoints() throws {
    let f = try TrainingFixture(count: 100)
    let args = f.train(mega, "run", updates: 4, ["--save-interval-updates", "3"])
    XCTAssertEqual(try SeqboatJob.run(ranks: nil, args).exitCode, 0)
    let last = f.path("run/checkpoint_last.h5")
    let saved = try f.checkpoint("run")
    let (name, tensor) = try XCTUnwrap(
      saved.tensors.max { $0.value.data.count < $1.value.data.count })
    XCTAssertTrue(try flipBit(inStored: tensor.data, of: last))
    let job = try SeqboatJob.run(ranks: nil, f.train(mega, "run", updates: 6))
    XCTAssertEqual(job.exitCode, 1, job.output)
    let newest = f.path("run/checkpoint_best.h5")
    XCTAssertEqual(
      job.lines(
        containing: "\(last): /model/\(name): fails its Fletcher-32 checksum (corrupt data); "
          + "the newest valid checkpoint is \(newest): move \(last) aside and resume with "
          + "--restore-file \(newest)"
      ).count, 1, job.output)
    row("flipped bit in checkpoint_last.h5", job, kept: "all files; newest valid one named")
    let eval = try SeqboatJob.run(
      ranks: nil, ["eval", "--checkpoint", last, "--data", f.data, "--split", "valid"], limit: 60)
    XCTAssertNotEqual(eval.exitCode, 0, eval.output)
    XCTAssertTrue(eval.output.contains("/model/\(name): fails its Fletcher-32"), eval.output)
    row("eval of the corrupt checkpoint", eval, kept: "-")
    try FileManager.default.moveItem(atPath: last, toPath: f.path("corrupt.h5"))
    let resumed = try SeqboatJob.run(
      ranks: nil, f.train(mega, "run", updates: 6, ["--restore-file", newest]))
    XCTAssertEqual(resumed.exitCode, 0, resumed.output)
    XCTAssertEqual(try f.updates("run").suffix(2).map { $0["update"] as! Int }, [5, 6])

    var poisoned = try f.checkpoint("run")
    poisoned.tensors[name]!.data[3] = .infinity
    try poisoned.write(to: last)
    let nan = try SeqboatJob.run(ranks: nil, f.train(mega, "run", updates: 8))
    XCTAssertEqual(nan.exitCode, 1, nan.output)
    XCTAssertEqual(
      nan.lines(
        containing: "/model/\(name): holds inf at index 3; weights and moments must be finite"
      )
      .count, 1, nan.output)
    row("inf in a weight of checkpoint_last.h5", nan, kept: "all files")
  }
}
