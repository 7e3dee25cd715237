import Foundation
import HDF5
import Models
import Optim
import TestSupport
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
      scaler: scaler, lrScheduleOrigin: 3,
      identity: try RunIdentity.decode(
        #"{"batchSize":8,"dataDigest":"ab","dataSize":10,"fp16":true,"optimizer":"adam","seed":42}"#
      ))
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
    XCTAssertEqual(back.lrScheduleOrigin, 3)
    XCTAssertEqual(back.identity, checkpoint.identity)
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: dir.path), ["checkpoint_last.h5"],
      "no temporary file is left behind")
  }

  /// A checkpoint written before identities, schedule origins and checksums (format version 1 as
  /// first released) reads: no identity, origin 0, its values as stored.
  func testOlderFileWithoutChecksumsOrIdentityReads() throws {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("seqboat-old-\(UUID().uuidString).h5").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let args = ModelArgs.table(try ModelConfig.preset("mega_lra_listop"))
    let file = try HDF5File.create(path)
    let root = try file.root()
    try root.setAttribute("format", string: Checkpoint.format)
    try root.setAttribute("format_version", int64: 1)
    try root.setAttribute("arch", string: "mega_lra_listop")
    try root.setAttribute("model_args", string: try Checkpoint.json(args))
    try root.setAttribute("train_options", string: try TrainOptions().json())
    for (name, value) in [
      ("world_size", 2), ("num_updates", 9), ("epoch", 1), ("batch_in_epoch", 9), ("seed", 1),
    ] {
      try root.setAttribute(name, int64: Int64(value))
    }
    try root.setAttribute("best_metric", double: 12.5)
    try root.setAttribute("best_metric_name", string: "accuracy")
    try root.createGroup("model").writeDataset("w", [Float(1), 2, 3, 4], shape: [2, 2])
    let moments = try root.createGroup("optimizer")
    try moments.setAttribute("name", string: "adam")
    let w = try moments.createGroup("w")
    try w.setAttribute("step", int64: 9)
    try w.writeDataset("exp_avg", [Float(0.1), 0.2, 0.3, 0.4])
    try w.writeDataset("exp_avg_sq", [Float(1), 1, 1, 1])
    try file.close()
    let back = try Checkpoint.read(path)
    XCTAssertNil(back.identity)
    XCTAssertEqual(back.lrScheduleOrigin, 0)
    XCTAssertEqual(back.numUpdates, 9)
    XCTAssertEqual(back.tensors["w"]?.data, [1, 2, 3, 4])
    XCTAssertEqual(back.moments["w"]?.expAvg, [0.1, 0.2, 0.3, 0.4])
  }

  /// Every stored weight and moment is checksummed; a flipped bit is refused naming the dataset,
  /// and so is a NaN written into a weight.
  func testCorruptOrNonFiniteValuesAreRefusedByName() throws {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("seqboat-bad-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let weights = (0..<64).map { Float($0) / 7 + 0.5 }
    func write(_ name: String, _ data: [Float]) throws -> String {
      let path = dir.appendingPathComponent(name).path
      try Checkpoint(
        modelArgs: ["arch": "mega_lra_listop"], options: TrainOptions(), worldSize: 1,
        numUpdates: 1, epoch: 1, batchInEpoch: 1, bestMetric: nil,
        tensors: ["enc.weight": ([8, 8], data)],
        moments: [
          "enc.weight": MomentState(
            step: 1, expAvg: [Float](repeating: 0.25, count: 64),
            expAvgSq: [Float](repeating: 0.5, count: 64))
        ], scaler: nil
      ).write(to: path)
      let file = try HDF5File.open(path).root()
      XCTAssertTrue(try file.openDataset("model/enc.weight").isChecksummed)
      XCTAssertTrue(try file.openDataset("optimizer/enc.weight/exp_avg_sq").isChecksummed)
      return path
    }
    let flipped = try write("flipped.h5", weights)
    XCTAssertTrue(try flipBit(inStored: weights, of: flipped))
    XCTAssertThrowsError(try Checkpoint.read(flipped)) {
      XCTAssertEqual(
        "\($0)", "\(flipped): /model/enc.weight: fails its Fletcher-32 checksum (corrupt data)")
    }
    var poisoned = weights
    poisoned[5] = .nan
    let nan = try write("nan.h5", poisoned)
    XCTAssertThrowsError(try Checkpoint.read(nan)) {
      XCTAssertEqual(
        "\($0)",
        "\(nan): /model/enc.weight: holds nan at index 5; weights and moments must be finite")
    }
  }

  func testReadingSomethingElseNamesTheFile() throws {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("seqboat-not-\(UUID().uuidString).h5").path
    XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("hello".utf8)))
    defer { try? FileManager.default.removeItem(atPath: path) }
    XCTAssertThrowsError(try Checkpoint.read(path)) {
      XCTAssertTrue("\($0)".contains(path), "\($0)")
    }
  }
}
