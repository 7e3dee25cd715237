import Foundation
import Models

/// The validation figure that picks `checkpoint_best.h5` and drives `--patience`
/// (`--best-checkpoint-metric`, `--maximize-best-checkpoint-metric`), compared as fairseq 0.9
/// compares it: the logged value rounded as fairseq's meters round it (loss and accuracy to 3
/// decimals, perplexity to 2, from the unrounded loss), and a tie with the best so far counts as
/// a new best for the checkpoint (the later file wins) but not for `--patience`.
public struct BestMetric: Equatable, Sendable {
  /// The metric's name in the validation record (`loss`, `accuracy`, `nll_loss`, `ppl`).
  public let name: String
  /// Whether larger is better.
  public let maximize: Bool

  /// The metric the options name, or this project's default when none is named (accuracy,
  /// maximised, for classifiers; loss for language models); throws naming the flag for a metric
  /// the model does not log, or `--maximize-best-checkpoint-metric` without a metric.
  public init(options: TrainOptions, languageModel: Bool) throws {
    let known = languageModel ? ["loss", "nll_loss", "ppl"] : ["loss", "accuracy"]
    let maximizeGiven = options.maximizeBestCheckpointMetric ?? false
    guard let given = options.bestCheckpointMetric else {
      if maximizeGiven {
        throw TrainingError(
          "--maximize-best-checkpoint-metric needs --best-checkpoint-metric (fairseq's default "
            + "metric is loss)")
      }
      name = languageModel ? "loss" : "accuracy"
      maximize = !languageModel
      return
    }
    guard known.contains(given) else {
      throw TrainingError(
        "--best-checkpoint-metric \(given): this model's validation logs "
          + known.joined(separator: ", "))
    }
    name = given
    maximize = maximizeGiven
  }

  /// The metric's value in `metrics` (TrainLog's validation figures), rounded as fairseq rounds
  /// its logged value.
  public func value(_ metrics: [String: Double]) -> Double {
    switch name {
    case "ppl": return Self.round(Losses.perplexity(bits: metrics["loss"]!), digits: 2)
    case "nll_loss": return Self.round(metrics["loss"]!, digits: 3)
    default: return Self.round(metrics[name]!, digits: 3)
    }
  }

  /// `x` rounded to `digits` decimals as Python's `round` does (correctly rounded decimal).
  public static func round(_ x: Double, digits: Int) -> Double {
    guard x.isFinite else { return x }
    return Double(String(format: "%.\(digits)f", x)) ?? x
  }

  /// The best after a validation scoring `value` (fairseq's `max`/`min` with the previous best).
  public func best(_ value: Double, previous: Double?) -> Double {
    guard let previous else { return value }
    return maximize ? max(value, previous) : min(value, previous)
  }

  /// Whether `value` makes a best checkpoint against the best so far (ties do).
  public func isBest(_ value: Double, previous: Double?) -> Bool {
    guard let previous else { return true }
    return maximize ? value >= previous : value <= previous
  }

  /// Whether `value` improves strictly on `previous` (what `--patience` counts).
  public func improves(_ value: Double, on previous: Double?) -> Bool {
    guard let previous else { return true }
    return maximize ? value > previous : value < previous
  }
}
