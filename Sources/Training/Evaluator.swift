import Data
import Distributed
import Layers
import Models
import Tensor

/// Loss and correct predictions over a whole split, summed over ranks.
public struct EvalResult {
  /// Summed loss (nats).
  public var lossSum: Double
  /// Sentences or target tokens.
  public var sampleSize: Double
  /// Correct predictions (classification).
  public var correct: Double
}

/// Evaluation (DATASETS.md 2.5): rank r of W takes the r-th contiguous 1/W of the split in file
/// order, in batches of `batchSize` rows; loss, sample size and correct counts are all-reduced.
public enum Evaluator {
  /// Evaluates `model` on `examples` in eval mode without gradients; with a `progress` label,
  /// rank 0 reports its batches, tokens (or sentences) per second and the time left on stderr.
  public static func evaluate(
    _ model: Model, on examples: EvaluationRows, communicator: Communicator, batchSize: Int,
    progress: String? = nil
  ) throws -> EvalResult {
    let schedule = try BatchSchedule(
      count: examples.count, worldSize: communicator.size, rank: communicator.rank)
    var totals = [0.0, 0.0, 0.0]
    let batches = schedule.evaluationBatches(batchSize: batchSize)
    let counted = model.config.task == .lm ? "tokens" : "sentences"
    let meter = ProgressMeter(
      progress ?? "", total: batches.count, unit: "batches", workUnit: counted,
      enabled: progress != nil && communicator.rank == 0)
    try GradMode.withoutGrad {
      for rows in batches {
        let stats = try model.loss(examples.batch(rows), .evaluation())
        totals[0] += Double(stats.loss.item)
        totals[1] += Double(stats.sampleSize)
        totals[2] += Double(stats.correct)
        meter.advance(work: Double(stats.sampleSize))
      }
    }
    meter.finish()
    try communicator.allReduce(&totals)
    return EvalResult(lossSum: totals[0], sampleSize: totals[1], correct: totals[2])
  }
}
