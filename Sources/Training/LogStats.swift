import Foundation

/// One set of console figures in fairseq's order: the averages over an interval of updates, an
/// epoch's train summary, or a validation. Renderers (the console's formats, other loggers) take
/// the figures as they are; `text(_:_:)` gives each one as fairseq prints it.
public struct LogStats {
  /// What the figures describe.
  public enum Kind: Equatable {
    /// `--log-interval` updates (fairseq's `train_inner`): the batch reached of the epoch's total.
    case interval(batch: Int, batches: Int)
    /// The epoch just ended (fairseq's `train`).
    case epoch
    /// A validation of the named split (fairseq's tag: the subset's name).
    case validation(split: String)
  }

  /// What the figures describe.
  public let kind: Kind
  /// The epoch (1-based).
  public let epoch: Int
  /// The update count when the figures were taken.
  public let update: Int
  /// The figures, named as fairseq names them, in its order.
  public let figures: [(key: String, value: Double)]

  /// Figures of `kind` at `epoch` and `update`.
  public init(kind: Kind, epoch: Int, update: Int, figures: [(key: String, value: Double)]) {
    self.kind = kind
    self.epoch = epoch
    self.update = update
    self.figures = figures
  }

  /// fairseq's tag: `train_inner`, `train` or the validation split.
  public var tag: String {
    switch kind {
    case .interval: return "train_inner"
    case .epoch: return "train"
    case .validation(let split): return split
    }
  }

  /// The value of `key` as fairseq's meters print it: rates and wall seconds rounded to whole
  /// numbers, perplexity with 2 decimals, the learning rate in `%g`, counts as integers, the
  /// averages with 3 decimals. A non-finite value (an fp16 overflow's norm) prints as `inf`/`nan`.
  public static func text(_ key: String, _ value: Double) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : "inf" }
    switch key {
    case "wps", "wall", "num_updates": return String(format: "%.0f", value.rounded())
    case "ups", "ppl": return String(format: "%.2f", value)
    case "lr": return String(format: "%g", value)
    default: return String(format: "%.3f", value)
    }
  }
}
