import Glibc

/// `cosine` (SGDR): linear warmup from `--warmup-init-lr` to `--lr`, then cosine cycles between
/// `--lr` and `--min-lr` of `--lr-period-updates` P updates, each `--t-mult` times longer than the
/// previous, both bounds multiplied by `--lr-shrink` per completed cycle.
public struct CosineSchedule: LRSchedule {
  /// `--lr`: the peak learning rate.
  public let peak: Double
  /// `--min-lr`.
  public let minLR: Double
  /// `--warmup-updates`.
  public let warmupUpdates: Int
  /// `--warmup-init-lr` (resolved from fairseq's −1 default).
  public let warmupInitLR: Double
  /// `--lr-period-updates` (resolved).
  public let period: Double
  /// `--t-mult`.
  public let tMult: Double
  /// `--lr-shrink`.
  public let lrShrink: Double

  /// fairseq's flags and defaults; `period` nil means `maxUpdate − warmupUpdates`, `warmupInitLR`
  /// nil means `minLR`. Throws when the peak does not exceed the minimum or the period is not positive.
  public init(
    lr peak: Double, minLR: Double = 0, warmupUpdates: Int = 0, warmupInitLR: Double? = nil,
    period: Double? = nil, maxUpdate: Int = 0, tMult: Double = 1, lrShrink: Double = 0.1
  ) throws {
    let minimum = max(0, minLR)
    guard peak > minimum else {
      throw OptimError.argument("--lr", "\(peak)", "must exceed --min-lr \(minimum) for cosine")
    }
    let p = period.flatMap { $0 > 0 ? $0 : nil } ?? Double(maxUpdate - warmupUpdates)
    guard p > 0 else {
      throw OptimError.argument(
        "--lr-period-updates", "\(p)", "must be positive (or set --max-update above the warmup)")
    }
    self.peak = peak
    self.minLR = minimum
    self.warmupUpdates = warmupUpdates
    self.warmupInitLR = resolvedWarmupInit(warmupInitLR, whenUnset: minimum)
    self.period = p
    self.tMult = tMult
    self.lrShrink = lrShrink
  }

  /// The learning rate after `n` completed updates.
  public func lr(afterUpdates n: Int) -> Double {
    if n < warmupUpdates {
      return warmupInitLR + Double(n) * (peak - warmupInitLR) / Double(warmupUpdates)
    }
    let t = Double(n - warmupUpdates)
    let cycle: Double
    let length: Double
    let position: Double
    if tMult != 1 {
      cycle = floor(log(1 - t / period * (1 - tMult)) / log(tMult))
      length = pow(tMult, cycle) * period
      position = t - (1 - pow(tMult, cycle)) / (1 - tMult) * period
    } else {
      cycle = floor(t / period)
      length = period
      position = t - period * cycle
    }
    let shrink = pow(lrShrink, cycle)
    let low = minLR * shrink
    let high = peak * shrink
    return low + 0.5 * (high - low) * (1 + cos(Double.pi * position / length))
  }
}
