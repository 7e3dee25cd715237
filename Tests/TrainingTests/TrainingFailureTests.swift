import Foundation
import TestSupport
import Training
import XCTest

/// A rank that dies or stops answering never hangs training; a crash while writing a checkpoint
/// leaves the previous one intact.
final class TrainingFailureTests: XCTestCase {
  /// A model large enough that writing its checkpoint takes a noticeable time.
  static let wide = [
    "--arch", "mega_lra_listop", "--encoder-layers", "4", "--encoder-embed-dim", "128",
    "--encoder-hidden-dim", "256", "--encoder-ffn-embed-dim", "256", "--z-dim", "32",
    "--n-dim", "4", "--classifier-out-dim", "64", "--dropout", "0",
  ]

  /// Waits until the job has logged `count` updates; returns its rank processes.
  func ranksAfter(_ count: Int, _ job: SeqboatJob, _ f: TrainingFixture, _ name: String) -> [Int:
    Int32]
  {
    let logged = SeqboatJob.waitUntil(limit: 60) { ((try? f.updates(name).count) ?? 0) >= count }
    XCTAssertTrue(logged, job.output)
    let ranks = job.rankProcesses()
    XCTAssertEqual(ranks.count, 2, "rank processes of the job")
    return ranks
  }

  func testKilledRankEndsTheJobWithinSeconds() throws {
    let f = try TrainingFixture()
    let job = try SeqboatJob(
      ranks: 2,
      f.train(TrainingFixture.mega, "run", updates: 100_000, ["--collective-timeout", "300"]))
    let ranks = ranksAfter(3, job, f, "run")
    let killed = Date()
    kill(try XCTUnwrap(ranks[1]), SIGKILL)
    job.wait(limit: 60)
    XCTAssertNotEqual(job.exitCode, 0, job.output)
    XCTAssertLessThan(Date().timeIntervalSince(killed), 20, job.output)
    XCTAssertTrue(job.output.contains("rank 1"), job.output)
  }

  func testStoppedRankIsAbortedByTheWatchdog() throws {
    let f = try TrainingFixture()
    let timeout = 3.0
    let job = try SeqboatJob(
      ranks: 2,
      f.train(
        TrainingFixture.mega, "run", updates: 100_000, ["--collective-timeout", "\(timeout)"]))
    let ranks = ranksAfter(3, job, f, "run")
    let victim = try XCTUnwrap(ranks[1])
    let stopped = Date()
    kill(victim, SIGSTOP)
    job.wait(limit: 60)
    kill(victim, SIGKILL)
    XCTAssertNotEqual(job.exitCode, 0, job.output)
    XCTAssertLessThan(Date().timeIntervalSince(stopped), timeout + 15, job.output)
    XCTAssertTrue(job.output.contains("rank 1 did not arrive"), job.output)
  }

  /// SIGKILL of rank 0 while it writes a checkpoint (caught by watching for its temporary file):
  /// `checkpoint_last.h5` is the previous, complete checkpoint, and training resumes from it.
  func testKillDuringCheckpointWriteLeavesThePreviousOne() throws {
    let f = try TrainingFixture()
    let args = f.train(
      TrainingFailureTests.wide, "run", updates: 100_000, batch: 8,
      ["--save-interval-updates", "1", "--keep-interval-updates", "1"])
    let job = try SeqboatJob(ranks: 2, args)
    let ranks = ranksAfter(2, job, f, "run")
    let rank0 = try XCTUnwrap(ranks[0])
    var caught = false
    _ = SeqboatJob.waitUntil(limit: 30) {
      let names = (try? FileManager.default.contentsOfDirectory(atPath: f.path("run"))) ?? []
      guard names.contains(where: { $0.contains(".tmp-") }) else { return false }
      kill(rank0, SIGKILL)
      caught = true
      return true
    }
    XCTAssertTrue(caught, "no checkpoint write was observed")
    job.wait(limit: 60)
    XCTAssertNotEqual(job.exitCode, 0, job.output)
    let names = try FileManager.default.contentsOfDirectory(atPath: f.path("run"))
    XCTAssertTrue(names.contains { $0.contains(".tmp-") }, "killed after the write: \(names)")
    let last = try f.checkpoint("run")
    XCTAssertGreaterThan(last.numUpdates, 0)
    XCTAssertFalse(last.tensors.isEmpty)
    let resumed = try SeqboatJob.run(
      ranks: nil,
      f.train(TrainingFailureTests.wide, "run", updates: last.numUpdates + 1, batch: 8))
    XCTAssertEqual(resumed.exitCode, 0, resumed.output)
    XCTAssertTrue(resumed.output.contains("loaded checkpoint"), resumed.output)
    XCTAssertEqual(try f.checkpoint("run").numUpdates, last.numUpdates + 1)
  }
}
