import Glibc

/// `linear_decay` (every Mega/SeqBoat script, MODEL.md §6.4): warm up from `--warmup-init-lr` l₀ to
/// `--lr` over `--warmup-updates` W with `--warmup-power` π, then decay linearly to
/// `--end-learning-rate` at `--total-num-update`, constant afterwards.
public struct LinearDecaySchedule: LRSchedule {
  /// `--lr`: the peak learning rate.
  public let peak: Double
  /// `--warmup-updates`.
  public let warmupUpdates: Int
  /// `--warmup-init-lr` (resolved from fairseq's −1 default).
  public let warmupInitLR: Double
  /// `--warmup-power`.
  public let warmupPower: Int
  /// `--total-num-update`.
  public let totalNumUpdate: Int
  /// `--end-learning-rate`.
  public let endLearningRate: Double

  /// fairseq's flags and defaults; `warmupInitLR` nil means fairseq's −1: the peak without warmup,
  /// else 0. Throws (one line naming the flag) when the warmup does not end before the total.
  public init(
    lr peak: Double, warmupUpdates: Int = 0, warmupInitLR: Double? = nil, warmupPower: Int = 1,
    totalNumUpdate: Int = 1_000_000, endLearningRate: Double = 0
  ) throws {
    guard warmupUpdates >= 0 else {
      throw OptimError.argument("--warmup-updates", "\(warmupUpdates)", "must not be negative")
    }
    guard totalNumUpdate > warmupUpdates else {
      throw OptimError.argument(
        "--total-num-update", "\(totalNumUpdate)", "must exceed --warmup-updates \(warmupUpdates)")
    }
    self.peak = peak
    self.warmupUpdates = warmupUpdates
    self.warmupInitLR = resolvedWarmupInit(warmupInitLR, whenUnset: warmupUpdates == 0 ? peak : 0)
    self.warmupPower = warmupPower
    self.totalNumUpdate = totalNumUpdate
    self.endLearningRate = endLearningRate
  }

  /// The learning rate after `n` completed updates.
  public func lr(afterUpdates n: Int) -> Double {
    if n <= warmupUpdates {
      guard warmupUpdates > 0 else { return warmupInitLR }
      let w = pow(Double(warmupUpdates), Double(warmupPower))
      return warmupInitLR + pow(Double(n), Double(warmupPower)) * (peak - warmupInitLR) / w
    }
    if n >= totalNumUpdate { return endLearningRate }
    let factor = (peak - endLearningRate) / Double(totalNumUpdate - warmupUpdates)
    return factor * Double(totalNumUpdate - n) + endLearningRate
  }
}
