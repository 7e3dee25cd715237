import Foundation
import TestSupport
import Training
import XCTest

/// A temporary folder with a small generated ListOps file, tiny model settings, and readers of
/// the JSON-lines log and of checkpoints.
final class TrainingFixture {
  let dir: URL

  /// A fresh folder holding `lo.h5`: `count` generated ListOps training examples of 10–40 tokens.
  init(count: Int = 400) throws {
    dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("seqboat-training-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let prep = try SeqboatJob.run(
      ranks: nil,
      [
        "prep", "listops", "--generate", "\(count)", "--out", data, "--min-len", "10",
        "--max-len", "40", "--seed", "3", "--quiet",
      ])
    XCTAssertEqual(prep.exitCode, 0, prep.output)
  }

  deinit { try? FileManager.default.removeItem(at: dir) }

  /// The dataset file.
  var data: String { dir.appendingPathComponent("lo.h5").path }

  /// A path in the folder.
  func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

  /// Tiny Mega (layer norm, no dropout) overrides of `mega_lra_listop`.
  static let mega = [
    "--arch", "mega_lra_listop", "--encoder-layers", "2", "--encoder-embed-dim", "16",
    "--encoder-hidden-dim", "32", "--encoder-ffn-embed-dim", "32", "--z-dim", "8", "--n-dim", "4",
    "--classifier-out-dim", "16", "--dropout", "0", "--attention-dropout", "0",
    "--attention-activation-fn", "softmax", "--norm-type", "layernorm",
  ]

  /// Tiny SeqBoat (layer norm, window 8, no dropout) overrides of `slag_lra_listop`.
  static let seqboat = [
    "--arch", "slag_lra_listop", "--encoder-layers", "2", "--encoder-embed-dim", "16",
    "--encoder-hidden-dim", "32", "--z-dim", "8", "--n-dim", "4", "--classifier-out-dim", "16",
    "--dropout", "0", "--attention-dropout", "0", "--chunk-size", "8", "--encoder-ffn-embed-dim=-1",
    "--attention-activation-fn", "softmax", "--norm-type", "layernorm",
  ]

  /// `train` arguments for `model` writing into `name` (save dir) and `name.jsonl`.
  func train(
    _ model: [String], _ name: String, updates: Int, batch: Int = 16, _ extra: [String] = []
  )
    -> [String]
  {
    ["train"] + model + [
      "--data", data, "--save-dir", path(name), "--log-file", path(name + ".jsonl"),
      "--max-update", "\(updates)", "--batch-size", "\(batch)", "--lr", "0.003",
      "--warmup-updates", "5", "--clip-norm", "1", "--weight-decay", "0.01",
      "--adam-betas", "(0.9, 0.98)", "--log-interval", "1000", "--seed", "5",
    ] + extra
  }

  /// The per-update records of the JSON-lines log `name.jsonl`.
  func updates(_ name: String) throws -> [[String: Any]] {
    try records(name).filter { $0["gnorm"] != nil }
  }

  /// The evaluation records of `name.jsonl`.
  func evaluations(_ name: String) throws -> [[String: Any]] {
    try records(name).filter { $0["split"] != nil && $0["loss"] != nil }
  }

  /// The size filter's records of `name.jsonl` (one per split with dropped blocks).
  func drops(_ name: String) throws -> [[String: Any]] {
    try records(name).filter { $0["dropped_blocks"] != nil }
  }

  private func records(_ name: String) throws -> [[String: Any]] {
    let text = try String(contentsOfFile: path(name + ".jsonl"), encoding: .utf8)
    return try text.split(separator: "\n").map {
      try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
  }

  /// The losses of the updates that were taken (not fp16-skipped), by update number.
  func losses(_ name: String) throws -> [Double] {
    try updates(name).filter { ($0["skipped"] as? Bool) != true }.map { $0["loss"] as! Double }
  }

  /// The saved checkpoint `name/file`.
  func checkpoint(_ name: String, _ file: String = "checkpoint_last.h5") throws -> Checkpoint {
    try Checkpoint.read(path(name + "/" + file))
  }
}

/// Asserts two loss curves agree elementwise to `relative` tolerance.
func assertSameLosses(
  _ a: [Double], _ b: [Double], relative: Double, file: StaticString = #filePath,
  line: UInt = #line
) {
  XCTAssertEqual(a.count, b.count, "number of updates", file: file, line: line)
  for (i, (x, y)) in zip(a, b).enumerated() {
    XCTAssertLessThanOrEqual(
      abs(x - y), relative * abs(x), "update \(i + 1): \(x) vs \(y)", file: file, line: line)
  }
}

/// Asserts two checkpoints hold the same parameters within `tolerance` (absolute, per element,
/// scaled by 1 + |value|), except parameters whose names end with one of `ignoring`.
func assertSameParameters(
  _ a: Checkpoint, _ b: Checkpoint, tolerance: Float, ignoring: [String] = [],
  file: StaticString = #filePath, line: UInt = #line
) {
  XCTAssertEqual(a.numUpdates, b.numUpdates, "updates", file: file, line: line)
  XCTAssertEqual(Set(a.tensors.keys), Set(b.tensors.keys), file: file, line: line)
  var offenders: [String] = []
  for (name, x) in a.tensors.sorted(by: { $0.key < $1.key }) {
    guard let y = b.tensors[name], !ignoring.contains(where: { name.hasSuffix($0) }) else {
      continue
    }
    let worst = zip(x.data, y.data).map { abs($0 - $1) / (1 + abs($0)) }.max() ?? 0
    if !(worst <= tolerance) { offenders.append("\(name): \(worst)") }
  }
  XCTAssertEqual(offenders, [], "parameters that differ", file: file, line: line)
}
