import Foundation

/// SIGUSR1 and SIGTERM ask the run to stop at the next update boundary (SLURM sends SIGUSR1
/// shortly before the time limit). The handler only sets a flag; the trainer agrees on it across
/// ranks with its per-update all-reduce, rank 0 saves `checkpoint_last.h5`, and every rank exits
/// with `StopSignal.exitCode`.
public enum StopSignal {
  /// Exit code of a run that saved its state on request and should be resumed (the SLURM job
  /// scripts in jobs/ requeue on it).
  public static let exitCode: Int32 = 75

  nonisolated(unsafe) private static var flag: sig_atomic_t = 0

  /// Installs the handlers for SIGUSR1 and SIGTERM.
  public static func install() {
    for sig in [SIGUSR1, SIGTERM] {
      signal(sig) { _ in StopSignal.flag = 1 }
    }
  }

  /// Whether a stop was requested since the handlers were installed.
  public static var requested: Bool { flag != 0 }
}
