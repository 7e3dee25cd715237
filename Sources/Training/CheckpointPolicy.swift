import Foundation

/// fairseq 0.9's checkpoint habits (`train.py` `validate_and_save`, `checkpoint_utils.
/// save_checkpoint`): when to validate and save, which files one save writes, and which old files
/// it removes, from `--save-interval(-updates)`, `--validate-interval(-updates)`,
/// `--no-epoch-checkpoints`, `--no-last-checkpoints`, `--no-save`, `--keep-interval-updates`,
/// `--keep-last-epochs` and `--keep-best-checkpoints`.
public struct CheckpointPolicy {
  /// The options.
  public let options: TrainOptions
  /// The metric of `checkpoint_best.h5` and `checkpoint.best_*`.
  public let metric: BestMetric

  /// The policy of `options` (checked by `TrainOptions.validate`).
  public init(options: TrainOptions, metric: BestMetric) {
    self.options = options
    self.metric = metric
  }

  /// Whether the update that made `updates` (ending epoch `epoch` when `endOfEpoch`) saves.
  public func saves(updates: Int, epoch: Int, endOfEpoch: Bool) -> Bool {
    let interval = options.saveIntervalUpdates
    return (interval > 0 && updates > 0 && updates % interval == 0)
      || (endOfEpoch && epoch % (options.saveInterval ?? 1) == 0)
  }

  /// Whether that update validates (`final`: it is the run's last, which this project always
  /// validates).
  public func validates(updates: Int, epoch: Int, endOfEpoch: Bool, final: Bool) -> Bool {
    let interval = options.validateIntervalUpdates
    return (!endOfEpoch && saves(updates: updates, epoch: epoch, endOfEpoch: false))
      || (endOfEpoch && epoch % (options.validateInterval ?? 1) == 0)
      || (interval > 0 && updates % interval == 0) || final
  }

  /// The files one save writes (all with the same contents), in fairseq's order; `value` is the
  /// validation figure of this save (nil: none ran) and `isBest` whether it ties or beats the best.
  public func files(
    updates: Int, epoch: Int, endOfEpoch: Bool, value: Double?, isBest: Bool
  ) -> [String] {
    guard !(options.noSave ?? false) else { return [] }
    var names: [String] = []
    if endOfEpoch, !options.noEpochCheckpoints, epoch % (options.saveInterval ?? 1) == 0 {
      names.append("checkpoint\(epoch).h5")
    }
    let interval = options.saveIntervalUpdates
    if !endOfEpoch, interval > 0, updates % interval == 0 {
      names.append("checkpoint_\(epoch)_\(updates).h5")
    }
    if let value, isBest {
      names.append("checkpoint_best.h5")
      if (options.keepBestCheckpoints ?? 0) > 0 { names.append(bestName(value)) }
    }
    if !(options.noLastCheckpoints ?? false) { names.append("checkpoint_last.h5") }
    return names
  }

  /// `checkpoint.best_METRIC_VALUE.h5`, the value with two decimals as fairseq names it.
  public func bestName(_ value: Double) -> String {
    "checkpoint.best_\(metric.name)_\(String(format: "%.2f", value)).h5"
  }

  /// The files of `folder` that the keep-options no longer keep after a save.
  public func surplus(in folder: String, endOfEpoch: Bool) throws -> [String] {
    let names = try FileManager.default.contentsOfDirectory(atPath: folder)
    var remove: [String] = []
    if !endOfEpoch, options.keepIntervalUpdates > 0 {
      let kept = Self.numbered(names, prefix: "checkpoint_", separator: "_")
      remove += kept.dropFirst(options.keepIntervalUpdates).map(\.name)
    }
    if let keep = options.keepLastEpochs, keep > 0 {
      remove += Self.numbered(names, prefix: "checkpoint", separator: nil).dropFirst(keep)
        .map(\.name)
    }
    if let keep = options.keepBestCheckpoints, keep > 0 {
      let prefix = "checkpoint.best_\(metric.name)_"
      var best = names.compactMap { name -> (Double, String)? in
        guard name.hasPrefix(prefix), name.hasSuffix(".h5") else { return nil }
        let number = name.dropFirst(prefix.count).dropLast(3)
        guard number.first?.isNumber == true, number.allSatisfy({ $0.isNumber || $0 == "." }),
          let value = Double(number)
        else { return nil }
        return (value, name)
      }.sorted { $0 > $1 }
      if !metric.maximize { best.reverse() }
      remove += best.dropFirst(keep).map(\.1)
    }
    return remove
  }

  /// Files `PREFIX N.h5` (or `PREFIX E SEP N.h5`), newest number first (fairseq's
  /// `checkpoint_paths`, which sorts by the last number).
  static func numbered(_ names: [String], prefix: String, separator: Character?)
    -> [(number: Int, name: String)]
  {
    names.compactMap { name -> (Int, String)? in
      guard name.hasPrefix(prefix), name.hasSuffix(".h5") else { return nil }
      let body = name.dropFirst(prefix.count).dropLast(3)
      let parts = separator.map { body.split(separator: $0, omittingEmptySubsequences: false) }
      let digits = parts.map { $0.count == 2 ? $0 : [] } ?? [body]
      guard !digits.isEmpty, digits.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }),
        let number = Int(digits.last!)
      else { return nil }
      return (number, name)
    }.sorted { ($0.0, $0.1) > ($1.0, $1.1) }
  }
}
