import Foundation
import TestSupport
import XCTest

/// Stopping on SIGUSR1 saves `checkpoint_last.h5` and exits 75; resuming (at the same or another
/// number of ranks) continues the uninterrupted trajectory; a finished run exits 0 at once.
final class ResumeTests: XCTestCase {
  let updates = 60

  /// Starts `args` on 2 ranks, sends SIGUSR1 to mpirun once the log shows a few updates, and
  /// returns the number of updates saved.
  func stopMidway(_ f: TrainingFixture, _ name: String, _ args: [String]) throws -> Int {
    let job = try SeqboatJob(ranks: 2, args)
    let logged = SeqboatJob.waitUntil(limit: 60) { ((try? f.updates(name).count) ?? 0) >= 6 }
    XCTAssertTrue(logged, job.output)
    kill(job.process.processIdentifier, SIGUSR1)
    job.wait(limit: 60)
    XCTAssertEqual(job.exitCode, 75, job.output)
    XCTAssertTrue(job.output.contains("stopped on request"), job.output)
    let saved = try f.checkpoint(name).numUpdates
    XCTAssertGreaterThan(saved, 0)
    XCTAssertLessThan(saved, updates, "the run ended before the signal arrived")
    XCTAssertEqual(try f.losses(name).count, saved)
    return saved
  }

  func assertResumeMatches(ranks: Int, _ more: [String] = []) throws {
    let f = try TrainingFixture()
    let extra = ["--save-interval-updates", "7", "--keep-interval-updates", "2"] + more
    let reference = try SeqboatJob.run(
      ranks: 2, f.train(TrainingFixture.mega, "ref", updates: updates, extra))
    XCTAssertEqual(reference.exitCode, 0, reference.output)
    let args = f.train(TrainingFixture.mega, "run", updates: updates, extra)
    _ = try stopMidway(f, "run", args)
    let resumed = try SeqboatJob.run(ranks: ranks, args)
    XCTAssertEqual(resumed.exitCode, 0, resumed.output)
    XCTAssertTrue(resumed.output.contains("loaded checkpoint"), resumed.output)
    let taken = try f.updates("run").filter { $0["skipped"] as? Bool == false }
    XCTAssertEqual(taken.map { $0["update"] as! Int }, Array(1...updates))
    XCTAssertEqual(
      try f.updates("run").map { $0["loss_scale"] as! Double },
      try f.updates("ref").map { $0["loss_scale"] as! Double })
    assertSameLosses(try f.losses("ref"), try f.losses("run"), relative: 1e-5)
    assertSameParameters(try f.checkpoint("ref"), try f.checkpoint("run"), tolerance: 1e-4)
    func kept(_ name: String) throws -> [String] {
      try FileManager.default.contentsOfDirectory(atPath: f.path(name))
        .filter { $0.split(separator: "_").count == 3 }.sorted()
    }
    XCTAssertEqual(try kept("run").count, 2, "--keep-interval-updates 2")
    XCTAssertEqual(try kept("run"), try kept("ref"))
    XCTAssertTrue(try kept("run").last!.hasSuffix("_56.h5"))
    XCTAssertTrue(FileManager.default.fileExists(atPath: f.path("run/checkpoint2.h5")))
    XCTAssertTrue(FileManager.default.fileExists(atPath: f.path("run/checkpoint_best.h5")))

    let again = try SeqboatJob.run(ranks: nil, args, limit: 30)
    XCTAssertEqual(again.exitCode, 0, again.output)
    XCTAssertTrue(again.output.contains("training already complete"), again.output)
    XCTAssertEqual(try f.updates("run").count, try f.updates("ref").count)
  }

  /// fp16 with a short scale window: the scale grows, overflows and is halved; the scaler's
  /// counters travel in the checkpoint, so the resumed run scales exactly as the reference.
  func testStopAndResumeFP16OnTheSameRanks() throws {
    try assertResumeMatches(ranks: 2, ["--fp16", "--fp16-scale-window", "4"])
  }

  /// Dropout masks follow (seed, update, rank) only, so a resumed run draws the masks the
  /// uninterrupted run drew.
  func testStopAndResumeWithDropoutOnTheSameRanks() throws {
    try assertResumeMatches(ranks: 2, ["--dropout", "0.1", "--attention-dropout", "0.1"])
  }

  func testStopAndResumeOnOneRank() throws {
    try assertResumeMatches(ranks: 1)
  }

  /// `--restore-file` starts a new save folder from another run's checkpoint; once the new run
  /// has saved, it resumes from its own `checkpoint_last.h5`.
  func testRestoreFileStartsFromAnotherRun() throws {
    let f = try TrainingFixture(count: 200)
    let first = try SeqboatJob.run(ranks: nil, f.train(TrainingFixture.mega, "first", updates: 6))
    XCTAssertEqual(first.exitCode, 0, first.output)
    let restore = ["--restore-file", f.path("first/checkpoint_last.h5")]
    let second = try SeqboatJob.run(
      ranks: 2, f.train(TrainingFixture.mega, "second", updates: 9, restore))
    XCTAssertEqual(second.exitCode, 0, second.output)
    XCTAssertTrue(second.output.contains("first/checkpoint_last.h5"), second.output)
    XCTAssertEqual(try f.updates("second").map { $0["update"] as! Int }, [7, 8, 9])
    let third = try SeqboatJob.run(
      ranks: nil, f.train(TrainingFixture.mega, "second", updates: 10, restore))
    XCTAssertEqual(third.exitCode, 0, third.output)
    XCTAssertTrue(third.output.contains("second/checkpoint_last.h5"), third.output)
    XCTAssertEqual(try f.checkpoint("second").numUpdates, 10)
  }

  /// A save folder with checkpoints but no `checkpoint_last.h5` is refused, naming the newest
  /// checkpoint (a fresh start would overwrite `checkpoint_best.h5`); `--restore-file` resumes.
  func testSaveFolderWithoutLastCheckpointIsRefused() throws {
    let f = try TrainingFixture(count: 200)
    let first = try SeqboatJob.run(ranks: nil, f.train(TrainingFixture.mega, "run", updates: 4))
    XCTAssertEqual(first.exitCode, 0, first.output)
    try FileManager.default.removeItem(atPath: f.path("run/checkpoint_last.h5"))
    let again = try SeqboatJob.run(ranks: nil, f.train(TrainingFixture.mega, "run", updates: 6))
    XCTAssertEqual(again.exitCode, 1, again.output)
    XCTAssertTrue(
      again.output.contains("holds checkpoints but no checkpoint_last.h5; resume with "),
      again.output)
    let best = f.path("run/checkpoint_best.h5")
    let restored = try SeqboatJob.run(
      ranks: nil, f.train(TrainingFixture.mega, "run", updates: 6, ["--restore-file", best]))
    XCTAssertEqual(restored.exitCode, 0, restored.output)
  }

  /// Temporaries of killed saves are removed at start; a symbolic link planted at
  /// `checkpoint_last.h5` is refused, and its target is never written.
  func testStaleTemporariesGoAndPlantedLinksAreRefused() throws {
    let f = try TrainingFixture(count: 200)
    let dir = f.path("safe")
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let stale = dir + "/.checkpoint_last.h5.tmp-4000001-abc"
    XCTAssertTrue(FileManager.default.createFile(atPath: stale, contents: Data("x".utf8)))
    let run = try SeqboatJob.run(ranks: nil, f.train(TrainingFixture.mega, "safe", updates: 2))
    XCTAssertEqual(run.exitCode, 0, run.output)
    XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
    XCTAssertTrue(run.output.contains("left by a save that was killed"), run.output)

    let linked = f.path("linked")
    try FileManager.default.createDirectory(atPath: linked, withIntermediateDirectories: true)
    let target = f.path("elsewhere.h5")
    try FileManager.default.createSymbolicLink(
      atPath: linked + "/checkpoint_last.h5", withDestinationPath: target)
    let refused = try SeqboatJob.run(
      ranks: nil, f.train(TrainingFixture.mega, "linked", updates: 2))
    XCTAssertNotEqual(refused.exitCode, 0, refused.output)
    XCTAssertTrue(refused.output.contains("is a symbolic link; refusing to replace it"))
    XCTAssertFalse(FileManager.default.fileExists(atPath: target))
  }

  /// SIGUSR1 0.2 s after start, long before MPI and the data are up (the handlers used to be
  /// installed after them, so the signal killed the process, exit 138): the request is kept, the
  /// run saves at its first update boundary and exits 75.
  func testStopRequestDuringStartUpIsKept() throws {
    let f = try TrainingFixture(count: 200)
    let job = try SeqboatJob(ranks: nil, f.train(TrainingFixture.mega, "early", updates: 50))
    usleep(200_000)
    kill(job.process.processIdentifier, SIGUSR1)
    _ = job.wait(limit: 60)
    XCTAssertEqual(job.exitCode, 75, job.output)
    XCTAssertTrue(
      FileManager.default.fileExists(atPath: f.path("early/checkpoint_last.h5")), job.output)
  }
}
