import Foundation
import Models
import Optim
import XCTest

@testable import Training

/// Checkpoint files round-trip every field, and model hyperparameters round-trip through the
/// flag table for every preset.
final class CheckpointTests: XCTestCase {
  func testEveryPresetRoundTripsThroughTheFlagTable() throws {
    for name in ModelConfig.presetNames {
      let config = try ModelConfig.preset(name)
      let table = ModelArgs.table(config)
      XCTAssertEqual(try ModelArgs.config(arch: name, values: table), config, name)
    }
    var changed = try ModelConfig.preset("mega_lm_adaptive_big")
    changed.truncation = nil
    changed.adaptiveCutoffs = [10, 20]
    changed.layers = 3
    XCTAssertEqual(
      try ModelArgs.config(arch: changed.arch, values: ModelArgs.table(changed)), changed)
  }

  func testOverridesParseFlagValuePairs() throws {
    let table = try ModelFlags.entries(
      arch: "slag_lra_listop", words: ["--encoder-layers", "3", "--dropout=0.2", "--z-dim", "8"])
    XCTAssertEqual(table, ["encoder-layers": "3", "dropout": "0.2", "z-dim": "8"])
    let config = try ModelArgs.config(arch: "slag_lra_listop", values: table)
    XCTAssertEqual(config.layers, 3)
    XCTAssertEqual(config.dropout, 0.2)
    XCTAssertEqual(
      try ModelFlags.entries(arch: "slag_lra_listop", words: ["--act-dropout", "0.1"]),
      ["hidden-dropout": "0.1", "activation-dropout": "0.1"])
    XCTAssertThrowsError(try ModelFlags.entries(arch: "slag_lra_listop", words: ["--z-dim"]))
    XCTAssertThrowsError(try ModelArgs.config(arch: "slag_lra_listop", values: ["z-dim": "x"])) {
      XCTAssertEqual("\($0)", "--z-dim 'x' is not an integer")
    }
  }

  func testWriteAndReadBack() throws {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("seqboat-ckpt-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    var options = TrainOptions()
    options.seed = 42
    options.fp16 = true
    var scaler = LossScaler(initScale: 64, window: 10, minScale: 1e-4)
    try scaler.update(overflow: true)
    let checkpoint = Checkpoint(
      modelArgs: ModelArgs.table(try ModelConfig.preset("mega_lra_listop")), options: options,
      worldSize: 2, numUpdates: 17, epoch: 3, batchInEpoch: 5, bestMetric: 42.5,
      tensors: ["a.weight": ([2, 3], [1, 2, 3, 4, 5, 6]), "b": ([1], [7])],
      moments: [
        "a.weight": MomentState(step: 4, expAvg: [1, 1, 1, 1, 1, 1], expAvgSq: [2, 2, 2, 2, 2, 2])
      ],
      scaler: scaler)
    let path = dir.appendingPathComponent("checkpoint_last.h5").path
    try checkpoint.write(to: path)
    let back = try Checkpoint.read(path)
    XCTAssertEqual(back.modelArgs, checkpoint.modelArgs)
    XCTAssertEqual(back.options, options)
    XCTAssertEqual(back.worldSize, 2)
    XCTAssertEqual(back.numUpdates, 17)
    XCTAssertEqual(back.epoch, 3)
    XCTAssertEqual(back.batchInEpoch, 5)
    XCTAssertEqual(back.bestMetric, 42.5)
    XCTAssertEqual(back.tensors["a.weight"]?.shape, [2, 3])
    XCTAssertEqual(back.tensors["a.weight"]?.data, [1, 2, 3, 4, 5, 6])
    XCTAssertEqual(back.moments, checkpoint.moments)
    XCTAssertEqual(back.scaler, scaler)
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: dir.path), ["checkpoint_last.h5"],
      "no temporary file is left behind")
  }

  func testReadingSomethingElseNamesTheFile() throws {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("seqboat-not-\(UUID().uuidString).h5").path
    FileManager.default.createFile(atPath: path, contents: Data("hello".utf8))
    defer { try? FileManager.default.removeItem(atPath: path) }
    XCTAssertThrowsError(try Checkpoint.read(path)) {
      XCTAssertTrue("\($0)".contains(path), "\($0)")
    }
  }
}
