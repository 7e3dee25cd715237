/// `inverse_sqrt`: linear warmup from `--warmup-init-lr` to `--lr` over `--warmup-updates` W, then
/// `lr·√W/√n`.
public struct InverseSqrtSchedule: LRSchedule {
  /// `--lr`: the peak learning rate.
  public let peak: Double
  /// `--warmup-updates`.
  public let warmupUpdates: Int
  /// `--warmup-init-lr` (resolved from fairseq's −1 default).
  public let warmupInitLR: Double

  /// fairseq's flags and defaults (W = 4000; `warmupInitLR` nil: 0). W must be positive.
  public init(lr peak: Double, warmupUpdates: Int = 4000, warmupInitLR: Double? = nil) throws {
    guard warmupUpdates > 0 else {
      throw OptimError.argument(
        "--warmup-updates", "\(warmupUpdates)", "must be positive for inverse_sqrt")
    }
    self.peak = peak
    self.warmupUpdates = warmupUpdates
    self.warmupInitLR = resolvedWarmupInit(warmupInitLR, whenUnset: 0)
  }

  /// The learning rate after `n` completed updates.
  public func lr(afterUpdates n: Int) -> Double {
    if n < warmupUpdates {
      return warmupInitLR + Double(n) * (peak - warmupInitLR) / Double(warmupUpdates)
    }
    return peak * Double(warmupUpdates).squareRoot() / Double(n).squareRoot()
  }
}
