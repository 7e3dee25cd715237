import Optim

/// A learning-rate schedule that can start again at a later update (`--reset-lr-scheduler`): the
/// wrapped schedule sees the updates completed since `origin`.
final class RestartableSchedule: LRSchedule {
  /// The schedule the options name.
  let base: LRSchedule
  /// The completed-update count at which the schedule (re)started.
  var origin = 0

  /// `base`, started at update 0.
  init(_ base: LRSchedule) { self.base = base }

  func lr(afterUpdates updates: Int) -> Double { base.lr(afterUpdates: max(updates - origin, 0)) }
}
