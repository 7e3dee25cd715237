import Foundation
import TensorBoard

/// `--tensorboard-logdir DIR`: rank 0's scalars as TensorBoard event files, laid out as fairseq
/// 0.9's TensorBoard wrapper lays them out: one folder per tag, `DIR/train` for the updates and
/// `DIR/<valid-subset>` for the validations, each started (with a new event file) at its first
/// record. The values are those of the `--log-file` record of the same update or validation, at
/// step = the update number. A resumed run adds new files beside the old ones.
final class TensorBoardLog {
  /// The tags of an update record, in the order written: fairseq's training statistics that this
  /// trainer computes. `loss_scale` only under `--fp16`, as fairseq has the meter only then.
  static let trainTags = [
    "loss", "ppl", "bpc", "accuracy", "wps", "ups", "wpb", "bsz", "lr", "gnorm", "loss_scale",
    "wall",
  ]
  /// The tags of a validation record besides `best_<metric>`.
  static let validTags = ["loss", "ppl", "bpc", "accuracy"]

  private let directory: String
  private let fp16: Bool
  private var writers: [String: EventFileWriter] = [:]

  /// The log `options` ask for on this rank: nil without `--tensorboard-logdir` or off rank 0.
  /// The folder is created now, so an unusable one stops the run before the first update.
  init?(options: TrainOptions, rank: Int) throws {
    guard rank == 0, let directory = options.tensorboardLogdir, !directory.isEmpty else {
      return nil
    }
    self.directory = directory
    fp16 = options.fp16
    do {
      try EventFileWriter.createDirectory(directory)
    } catch let error as EventFileError {
      throw Self.failure(error)
    }
  }

  /// The update record `record` (the `--log-file` object) at update `step`.
  func update(_ record: [String: Any], step: Int) throws {
    let tags = fp16 ? Self.trainTags : Self.trainTags.filter { $0 != "loss_scale" }
    try write(split: "train", scalars(record, tags.map { ($0, $0) }), step: step)
  }

  /// The validation record `record` of `split` at update `step`; its `best` value is written as
  /// `best_<metric>`, fairseq's name.
  func validation(_ record: [String: Any], split: String, metric: String, step: Int) throws {
    let pairs = Self.validTags.map { ($0, $0) } + [("best", "best_" + metric)]
    try write(split: split, scalars(record, pairs), step: step)
  }

  /// The numbers of `record` under the keys of `pairs`, tagged with the pairs' second names;
  /// keys the record lacks are left out.
  private func scalars(_ record: [String: Any], _ pairs: [(key: String, tag: String)])
    -> [(tag: String, value: Float)]
  {
    pairs.compactMap { pair in
      guard let value = Self.number(record[pair.key]) else { return nil }
      return (pair.tag, Float(value))
    }
  }

  /// A record's number (`Double` or `Int`), nil for anything else.
  private static func number(_ value: Any?) -> Double? {
    if let d = value as? Double { return d }
    if let i = value as? Int { return Double(i) }
    return nil
  }

  private func write(split: String, _ scalars: [(tag: String, value: Float)], step: Int) throws {
    do {
      let writer = try writers[split] ?? EventFileWriter(directory: directory + "/" + split)
      writers[split] = writer
      try writer.write(
        scalars: scalars, step: Int64(step), wallTime: Date().timeIntervalSince1970)
    } catch let error as EventFileError {
      throw Self.failure(error)
    }
  }

  /// The one line a failed file operation ends the run with.
  private static func failure(_ error: EventFileError) -> TrainingError {
    TrainingError(
      "--tensorboard-logdir \(error.path): cannot \(error.action): "
        + TrainLog.reason(error.underlying))
  }
}
