/// How a training run ended.
public enum TrainingOutcome: Equatable {
  /// `--max-update` or `--max-epoch` reached (or already reached at start).
  case finished
  /// Stopped on SIGUSR1/SIGTERM after saving `checkpoint_last.h5`: resume me.
  case stopped
}
