import Foundation
import TestSupport
import XCTest

@testable import Training

/// fairseq's checkpoint-loading flags, each shown by what the resumed run trains and saves.
final class ResetFlagTests: XCTestCase {
  let mega = TrainingFixture.mega

  /// Runs `seqboat train` on one process and asserts its exit status.
  @discardableResult
  func train(
    _ f: TrainingFixture, _ name: String, updates: Int, _ extra: [String] = [], exit: Int32 = 0,
    file: StaticString = #filePath, line: UInt = #line
  ) throws -> SeqboatJob {
    let job = try SeqboatJob.run(ranks: nil, f.train(mega, name, updates: updates, extra))
    XCTAssertEqual(job.exitCode, exit, job.output, file: file, line: line)
    return job
  }

  /// The update numbers logged in `name.jsonl`, in order.
  func logged(_ f: TrainingFixture, _ name: String) throws -> [Int] {
    try f.updates(name).map { $0["update"] as! Int }
  }

  /// Changing `--optimizer` needs `--reset-optimizer`; with it the moments, their steps and the
  /// update count start again (so `--max-update` counts from 0), as fairseq 0.9 does.
  func testResetOptimizer() throws {
    let f = try TrainingFixture(count: 200)
    try train(f, "a", updates: 4)
    let refused = try train(f, "a", updates: 6, ["--optimizer", "radam"], exit: 1)
    XCTAssertTrue(
      refused.output.contains(
        "--optimizer is adam in the checkpoint but radam in this run; give --reset-optimizer"),
      refused.output)
    try train(f, "a", updates: 2, ["--optimizer", "radam", "--reset-optimizer"])
    XCTAssertEqual(try logged(f, "a"), [1, 2, 3, 4, 1, 2])
    let saved = try f.checkpoint("a")
    XCTAssertEqual(saved.numUpdates, 2)
    XCTAssertEqual(Set(saved.moments.values.map(\.step)), [2])
    XCTAssertEqual(saved.identity?.optimizer, "radam")
  }

  /// `--reset-lr-scheduler` restarts the schedule at the loaded update: updates 5–7 use the
  /// learning rates of updates 1–3 (warmup over 5 updates), and the origin is saved, so a later
  /// resume without the flag continues the restarted schedule.
  func testResetLRScheduler() throws {
    let f = try TrainingFixture(count: 200)
    try train(f, "a", updates: 4)
    try train(f, "straight", updates: 7)
    try train(f, "a", updates: 7, ["--reset-lr-scheduler"])
    XCTAssertEqual(try f.checkpoint("a").lrScheduleOrigin, 4)
    try train(f, "a", updates: 8)
    let lrs = try f.updates("a").map { $0["lr"] as! Double }
    XCTAssertEqual(Array(lrs[4...]), Array(lrs[0..<4]))
    let straight = try f.updates("straight").map { $0["lr"] as! Double }
    XCTAssertNotEqual(straight[4], straight[0], "without the flag the warmup goes on")
    XCTAssertEqual(try f.checkpoint("a").numUpdates, 8)
  }

  /// Changing `--seed` (or `--batch-size`) needs `--reset-dataloader`; with it the run starts at
  /// epoch 1, first batch, and keeps its update count.
  func testResetDataloader() throws {
    let f = try TrainingFixture(count: 200)
    try train(f, "a", updates: 14)
    XCTAssertEqual(try f.checkpoint("a").epoch, 2)
    let refused = try train(f, "a", updates: 16, ["--seed", "9"], exit: 1)
    XCTAssertTrue(
      refused.output.contains("--seed is 5 in the checkpoint but 9 in this run"), refused.output)
    let batch = try train(f, "a", updates: 16, ["--batch-size", "8"], exit: 1)
    XCTAssertTrue(
      batch.output.contains("--batch-size is 16 in the checkpoint but 8 in this run"),
      batch.output)
    try train(f, "a", updates: 16, ["--seed", "9", "--reset-dataloader"])
    let resumed = try f.updates("a").suffix(2)
    XCTAssertEqual(resumed.map { $0["update"] as! Int }, [15, 16])
    XCTAssertEqual(resumed.map { $0["epoch"] as! Int }, [1, 1])
    let saved = try f.checkpoint("a")
    XCTAssertEqual([saved.epoch, saved.batchInEpoch, saved.numUpdates], [1, 2, 16])
  }

  /// The best metric travels in the checkpoint (set here to an unreachable 101 %); a resumed run
  /// keeps it, and one with `--reset-meters` replaces it by its own first validation.
  func testResetMeters() throws {
    let f = try TrainingFixture(count: 200)
    try train(f, "a", updates: 4)
    var saved = try f.checkpoint("a")
    saved.bestMetric = 101
    try saved.write(to: f.path("a/checkpoint_last.h5"))
    try train(f, "a", updates: 5)
    XCTAssertEqual(try f.evaluations("a").last?["best"] as? Double, 101)
    try train(f, "a", updates: 6, ["--reset-meters"])
    let last = try XCTUnwrap(try f.evaluations("a").last)
    XCTAssertEqual(last["best"] as? Double, last["accuracy"] as? Double)
    XCTAssertEqual(try f.checkpoint("a").bestMetric, last["accuracy"] as? Double)
  }

  /// `--finetune-from-model` takes only the weights (at learning rate 0 they are saved unchanged;
  /// moments, update count, epoch start afresh), accepts another dropout, applies only while the
  /// save folder has no `checkpoint_last.h5`, and is refused with `--restore-file` or `--reset-*`.
  func testFinetuneFromModel() throws {
    let f = try TrainingFixture(count: 200)
    try train(f, "pre", updates: 6)
    let model = ["--finetune-from-model", f.path("pre/checkpoint_last.h5")]
    let job = try train(f, "ft", updates: 2, model + ["--lr", "0", "--act-dropout", "0.1"])
    XCTAssertTrue(job.output.contains("weights only"), job.output)
    XCTAssertEqual(try logged(f, "ft"), [1, 2])
    let (pre, ft) = (try f.checkpoint("pre"), try f.checkpoint("ft"))
    XCTAssertEqual(ft.tensors.mapValues(\.data), pre.tensors.mapValues(\.data))
    XCTAssertEqual(Set(ft.moments.values.map(\.step)), [2])
    XCTAssertEqual([ft.epoch, ft.numUpdates], [1, 2])
    let again = try train(f, "ft", updates: 3, model + ["--lr", "0", "--act-dropout", "0.1"])
    XCTAssertTrue(again.output.contains("ft/checkpoint_last.h5"), again.output)
    XCTAssertEqual(try logged(f, "ft"), [1, 2, 3])
    for extra in [["--restore-file", f.path("pre/checkpoint_last.h5")], ["--reset-meters"]] {
      let refused = try train(f, "other", updates: 2, model + extra, exit: 1)
      XCTAssertEqual(refused.lines(containing: "--finetune-from-model").count, 1, refused.output)
      XCTAssertFalse(FileManager.default.fileExists(atPath: f.path("other")))
    }
  }
}
