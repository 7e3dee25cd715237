import Foundation
import Training
import XCTest

/// fairseq 0.9's checkpoint decisions without training: the metric's rounding and ties, which
/// files a save writes, and which the keep-options remove.
final class CheckpointPolicyTests: XCTestCase {
  func policy(_ change: (inout TrainOptions) -> Void, lm: Bool = false) throws -> CheckpointPolicy {
    var o = TrainOptions()
    change(&o)
    return CheckpointPolicy(options: o, metric: try BestMetric(options: o, languageModel: lm))
  }

  func testMetricsRoundAsFairseqLogsThemAndTiesMakeABestCheckpoint() throws {
    let accuracy = try policy { _ in }.metric
    XCTAssertEqual(
      accuracy,
      try policy {
        $0.bestCheckpointMetric = "accuracy"
        $0.maximizeBestCheckpointMetric = true
      }.metric)
    XCTAssertEqual(accuracy.value(["accuracy": 81.23449, "loss": 1]), 81.234)
    XCTAssertEqual(accuracy.value(["accuracy": 81.2346, "loss": 1]), 81.235)
    XCTAssertTrue(accuracy.isBest(81.234, previous: 81.234), "a tie rewrites checkpoint_best")
    XCTAssertFalse(accuracy.improves(81.234, on: 81.234), "a tie does not reset --patience")
    XCTAssertFalse(accuracy.isBest(81.233, previous: 81.234))
    let ppl = try policy({ $0.bestCheckpointMetric = "ppl" }, lm: true).metric
    XCTAssertFalse(ppl.maximize)
    XCTAssertEqual(ppl.value(["loss": 3.0001]), 8.0)  // 2^3.0001 = 8.00055…
    XCTAssertTrue(ppl.isBest(7.5, previous: 8))
    XCTAssertEqual(ppl.best(8.5, previous: 8), 8)
    XCTAssertEqual(
      try policy({ $0.bestCheckpointMetric = "loss" }, lm: true).metric.value(["loss": 2.00049]),
      2.0)
  }

  func testMetricOptionsAreRefusedByName() {
    XCTAssertThrowsError(try policy { $0.bestCheckpointMetric = "ppl" }) {
      XCTAssertEqual(
        "\($0)", "--best-checkpoint-metric ppl: this model's validation logs loss, accuracy")
    }
    XCTAssertThrowsError(try policy { $0.maximizeBestCheckpointMetric = true }) {
      XCTAssertTrue("\($0)".hasPrefix("--maximize-best-checkpoint-metric needs"), "\($0)")
    }
  }

  func testFilesOfOneSave() throws {
    let plain = try policy { _ in }
    XCTAssertEqual(
      plain.files(updates: 30, epoch: 3, endOfEpoch: true, value: 70, isBest: true),
      ["checkpoint3.h5", "checkpoint_best.h5", "checkpoint_last.h5"])
    let flags = try policy {
      $0.saveInterval = 2
      $0.saveIntervalUpdates = 10
      $0.keepBestCheckpoints = 3
      $0.noLastCheckpoints = true
    }
    XCTAssertEqual(
      flags.files(updates: 30, epoch: 3, endOfEpoch: true, value: 70, isBest: true),
      [
        "checkpoint_best.h5", "checkpoint.best_accuracy_70.00.h5",
      ])
    XCTAssertEqual(
      flags.files(updates: 30, epoch: 3, endOfEpoch: false, value: 69.996, isBest: false),
      ["checkpoint_3_30.h5"])
    XCTAssertTrue(flags.saves(updates: 40, epoch: 4, endOfEpoch: true))
    XCTAssertFalse(flags.saves(updates: 41, epoch: 3, endOfEpoch: true))
    XCTAssertEqual(flags.bestName(69.996), "checkpoint.best_accuracy_70.00.h5")
    XCTAssertEqual(
      try policy { $0.noSave = true }.files(
        updates: 3, epoch: 1, endOfEpoch: true, value: 1, isBest: true), [])
    let validating = try policy { $0.validateInterval = 3 }
    XCTAssertFalse(validating.validates(updates: 8, epoch: 2, endOfEpoch: true, final: false))
    XCTAssertTrue(validating.validates(updates: 12, epoch: 3, endOfEpoch: true, final: false))
    XCTAssertTrue(validating.validates(updates: 5, epoch: 2, endOfEpoch: false, final: true))
  }

  func testKeepOptionsRemoveTheOldestAndTheWorst() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    for name in [
      "checkpoint1.h5", "checkpoint2.h5", "checkpoint10.h5", "checkpoint_last.h5",
      "checkpoint_best.h5", "checkpoint_1_5.h5", "checkpoint_2_15.h5", "checkpoint_2_20.h5",
      "checkpoint.best_loss_1.50.h5", "checkpoint.best_loss_1.25.h5",
      "checkpoint.best_loss_2.00.h5", "checkpoint.best_accuracy_9.00.h5",
    ] {
      XCTAssertTrue(
        FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: nil)
      )
    }
    let keep = try policy {
      $0.keepLastEpochs = 2
      $0.keepIntervalUpdates = 1
      $0.keepBestCheckpoints = 2
      $0.bestCheckpointMetric = "loss"
    }
    XCTAssertEqual(
      Set(try keep.surplus(in: dir.path, endOfEpoch: false)),
      ["checkpoint1.h5", "checkpoint_1_5.h5", "checkpoint_2_15.h5", "checkpoint.best_loss_2.00.h5"])
    XCTAssertEqual(
      Set(try keep.surplus(in: dir.path, endOfEpoch: true)),
      ["checkpoint1.h5", "checkpoint.best_loss_2.00.h5"], "interval files are pruned mid-epoch")
    let maximize = try policy {
      $0.keepBestCheckpoints = 1
      $0.bestCheckpointMetric = "loss"
      $0.maximizeBestCheckpointMetric = true
    }
    XCTAssertEqual(
      Set(try maximize.surplus(in: dir.path, endOfEpoch: true)),
      ["checkpoint.best_loss_1.50.h5", "checkpoint.best_loss_1.25.h5"])
  }
}
