/// `fixed`: the constant `--lr`, reached by a linear warmup over `--warmup-updates` W when W > 0:
/// `lr·min(1, (n + 1)/W)` after n updates. (fairseq's per-epoch `--force-anneal` is not offered.)
public struct FixedSchedule: LRSchedule {
  /// `--lr`: the peak learning rate.
  public let peak: Double
  /// `--warmup-updates`.
  public let warmupUpdates: Int

  /// fairseq's flags (W defaults to 0).
  public init(lr peak: Double, warmupUpdates: Int = 0) throws {
    guard warmupUpdates >= 0 else {
      throw OptimError.argument("--warmup-updates", "\(warmupUpdates)", "must not be negative")
    }
    self.peak = peak
    self.warmupUpdates = warmupUpdates
  }

  /// The learning rate after `n` completed updates.
  public func lr(afterUpdates n: Int) -> Double {
    guard warmupUpdates > 0, n < warmupUpdates else { return peak }
    return peak * Double(n + 1) / Double(warmupUpdates)
  }
}
