import Foundation
import TestSupport
import Training
import XCTest

/// fairseq's checkpoint and validation flags on short ListOps runs: what each one saves, logs or
/// stops.
final class CheckpointFlagsTests: XCTestCase {
  var f: TrainingFixture!

  override func setUpWithError() throws { f = try TrainingFixture(count: 160) }

  /// Trains `name` for `epochs` epochs of batch 32 with `extra` flags.
  func run(_ name: String, epochs: Int, _ extra: [String]) throws -> SeqboatJob {
    let job = try SeqboatJob.run(
      ranks: nil,
      f.train(
        TrainingFixture.mega, name, updates: 0, batch: 32, ["--max-epoch", "\(epochs)"] + extra))
    XCTAssertEqual(job.exitCode, 0, job.output)
    return job
  }

  func files(_ name: String) throws -> Set<String> {
    Set(try FileManager.default.contentsOfDirectory(atPath: f.path(name)))
  }

  func testSaveIntervalKeepLastEpochsAndNoLastCheckpoints() throws {
    _ = try run("interval", epochs: 5, ["--save-interval", "2"])
    XCTAssertEqual(
      try files("interval"),
      ["checkpoint2.h5", "checkpoint4.h5", "checkpoint_best.h5", "checkpoint_last.h5"],
      "epoch 5, the run's last, saves checkpoint_last.h5 only")
    _ = try run("keep", epochs: 4, ["--keep-last-epochs", "2"])
    XCTAssertEqual(
      try files("keep"),
      ["checkpoint3.h5", "checkpoint4.h5", "checkpoint_best.h5", "checkpoint_last.h5"])
    _ = try run("nolast", epochs: 2, ["--no-last-checkpoints"])
    XCTAssertEqual(try files("nolast"), ["checkpoint1.h5", "checkpoint2.h5", "checkpoint_best.h5"])
    _ = try run("nosave", epochs: 2, ["--no-save"])
    XCTAssertFalse(FileManager.default.fileExists(atPath: f.path("nosave")))
    XCTAssertEqual(try f.evaluations("nosave").count, 2, "validation still runs")
  }

  func testValidateIntervalValidatesEveryNthEpochAndTheLast() throws {
    _ = try run("valid", epochs: 5, ["--validate-interval", "2"])
    XCTAssertEqual(try f.evaluations("valid").map { $0["epoch"] as! Int }, [2, 4, 5])
  }

  /// At learning rate 0 every validation ties: `--patience 2` stops after the third, and each
  /// tie rewrites `checkpoint_best.h5` (fairseq's `>=`), so it holds the last epoch's state.
  func testPatienceStopsOnTiesThatStillRewriteTheBestCheckpoint() throws {
    let job = try run("patience", epochs: 6, ["--patience", "2", "--lr", "0"])
    XCTAssertTrue(
      job.output.contains("stopping early: accuracy on 'valid' has not improved in 2 validations"),
      job.output)
    let evaluations = try f.evaluations("patience")
    XCTAssertEqual(evaluations.map { $0["epoch"] as! Int }, [1, 2, 3])
    let best = try f.checkpoint("patience", "checkpoint_best.h5")
    XCTAssertEqual(best.numUpdates, try f.checkpoint("patience").numUpdates)
    XCTAssertEqual(best.epoch, 4)
  }

  /// `--best-checkpoint-metric loss` picks the lowest rounded loss; `--keep-best-checkpoints 2`
  /// keeps the two best `checkpoint.best_loss_X.XX.h5`, and `accuracy` with
  /// `--maximize-best-checkpoint-metric` picks the highest accuracy.
  func testBestCheckpointMetricAndKeepBestCheckpoints() throws {
    _ = try run(
      "byloss", epochs: 4,
      ["--best-checkpoint-metric", "loss", "--keep-best-checkpoints", "2", "--lr", "0.01"])
    let losses = try f.evaluations("byloss").map {
      BestMetric.round($0["loss"] as! Double, digits: 3)
    }
    XCTAssertEqual(losses.count, 4)
    XCTAssertEqual(try f.checkpoint("byloss").bestMetric, losses.min())
    var best: Double?
    var named: [Double] = []
    for value in losses where best == nil || value <= best! {
      best = value
      named.append(value)
    }
    let kept = Set(
      named.sorted().prefix(2).map { String(format: "checkpoint.best_loss_%.2f.h5", $0) })
    XCTAssertEqual(try files("byloss").filter { $0.hasPrefix("checkpoint.best_") }, kept)
    _ = try run(
      "byaccuracy", epochs: 3,
      ["--best-checkpoint-metric", "accuracy", "--maximize-best-checkpoint-metric"])
    let accuracies = try f.evaluations("byaccuracy").map {
      BestMetric.round($0["accuracy"] as! Double, digits: 3)
    }
    XCTAssertEqual(try f.checkpoint("byaccuracy").bestMetric, accuracies.max())
    let refused = try SeqboatJob.run(
      ranks: nil,
      f.train(TrainingFixture.mega, "bad", updates: 1, ["--best-checkpoint-metric", "ppl"]))
    XCTAssertNotEqual(refused.exitCode, 0)
    XCTAssertTrue(refused.output.contains("--best-checkpoint-metric ppl"), refused.output)
  }
}
