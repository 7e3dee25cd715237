/// The learning-rate flags of fairseq's schedulers (`--lr`, `--warmup-updates`, …); nil fields
/// take each scheduler's own fairseq default.
public struct LRScheduleOptions: Equatable {
  /// `--lr` (the peak).
  public var lr: Double
  /// `--warmup-updates` (default 0; `inverse_sqrt`: 4000).
  public var warmupUpdates: Int?
  /// `--warmup-init-lr` (fairseq's −1: scheduler-specific).
  public var warmupInitLR: Double?
  /// `--warmup-power` (`linear_decay`, default 1).
  public var warmupPower: Int = 1
  /// `--total-num-update` (`linear_decay`, default 1,000,000).
  public var totalNumUpdate: Int = 1_000_000
  /// `--end-learning-rate` (`linear_decay`, default 0).
  public var endLearningRate: Double = 0
  /// `--min-lr` (`cosine`, default 0).
  public var minLR: Double = 0
  /// `--lr-period-updates` (`cosine`; nil: `--max-update` − warmup).
  public var lrPeriodUpdates: Double?
  /// `--t-mult` (`cosine`, default 1).
  public var tMult: Double = 1
  /// `--lr-shrink` (`cosine`, default 0.1).
  public var lrShrink: Double = 0.1
  /// `--max-update` (for `cosine`'s default period).
  public var maxUpdate: Int = 0

  /// Options with the peak learning rate and every other flag at its default.
  public init(lr: Double) { self.lr = lr }
}

/// fairseq's `--lr-scheduler` names offered here.
public let lrScheduleNames = ["linear_decay", "inverse_sqrt", "cosine", "fixed"]

/// The schedule fairseq's `--lr-scheduler NAME` builds from `options`; throws a one-line error for
/// an unknown name or an invalid flag.
public func makeLRSchedule(_ name: String, _ o: LRScheduleOptions) throws -> LRSchedule {
  switch name {
  case "linear_decay":
    return try LinearDecaySchedule(
      lr: o.lr, warmupUpdates: o.warmupUpdates ?? 0, warmupInitLR: o.warmupInitLR,
      warmupPower: o.warmupPower, totalNumUpdate: o.totalNumUpdate,
      endLearningRate: o.endLearningRate)
  case "inverse_sqrt":
    return try InverseSqrtSchedule(
      lr: o.lr, warmupUpdates: o.warmupUpdates ?? 4000, warmupInitLR: o.warmupInitLR)
  case "cosine":
    return try CosineSchedule(
      lr: o.lr, minLR: o.minLR, warmupUpdates: o.warmupUpdates ?? 0, warmupInitLR: o.warmupInitLR,
      period: o.lrPeriodUpdates, maxUpdate: o.maxUpdate, tMult: o.tMult, lrShrink: o.lrShrink)
  case "fixed":
    return try FixedSchedule(lr: o.lr, warmupUpdates: o.warmupUpdates ?? 0)
  default:
    throw OptimError.argument(
      "--lr-scheduler", name, "unknown; expected one of " + lrScheduleNames.joined(separator: ", "))
  }
}

/// fairseq's `--optimizer` names offered here.
public let optimizerNames = ["adam", "radam"]

/// The optimizer fairseq's `--optimizer NAME` builds (`--adam-betas`, `--adam-eps`,
/// `--weight-decay`); throws a one-line error for an unknown name.
public func makeOptimizer(
  _ name: String, betas: (Double, Double), eps: Double, weightDecay: Double
) throws -> Optimizer {
  switch name {
  case "adam": return Adam(betas: betas, eps: eps, weightDecay: weightDecay)
  case "radam": return RAdam(betas: betas, eps: eps, weightDecay: weightDecay)
  default:
    throw OptimError.argument(
      "--optimizer", name, "unknown; expected one of " + optimizerNames.joined(separator: ", "))
  }
}
