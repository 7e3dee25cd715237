/// A learning-rate schedule as fairseq's per-update schedulers: the learning rate is `lr(0)` at the
/// start and becomes `lr(k)` once update k has completed, so **update k uses `lr(k − 1)`**.
/// Schedules are pure functions of the update count; their checkpoint state is that count.
public protocol LRSchedule {
  /// The learning rate after `updates` completed updates.
  func lr(afterUpdates updates: Int) -> Double
}

extension LRSchedule {
  /// The learning rate used by update `k` (1-based): `lr(k − 1)`.
  public func lr(forUpdate k: Int) -> Double { lr(afterUpdates: k - 1) }
}

/// Resolves fairseq's `--warmup-init-lr` default of −1 (nil here): `whenUnset` applies.
func resolvedWarmupInit(_ given: Double?, whenUnset: Double) -> Double {
  guard let given, given >= 0 else { return whenUnset }
  return given
}
