import Tensor

/// The `--threads` of `train`, `eval` and `bench`: how many threads this rank's kernels use.
public enum ThreadCount {
  /// The most threads one rank may ask for: every thread is started for the run, so a count
  /// far above any machine's cores is refused rather than attempted.
  public static let maximum = 1024

  /// `given`, else SLURM's `SLURM_CPUS_PER_TASK` (the job's `--cpus-per-task`) from
  /// `environment`, else 1. Throws, naming the source, for a value that is not an integer in
  /// 1…`maximum`.
  public static func resolve(_ given: Int?, environment: [String: String]) throws -> Int {
    if let given {
      guard (1...maximum).contains(given) else {
        throw TrainingError("--threads \(given) must be between 1 and \(maximum)")
      }
      return given
    }
    guard let slurm = environment["SLURM_CPUS_PER_TASK"] else { return 1 }
    guard let n = Int(slurm), (1...maximum).contains(n) else {
      throw TrainingError(
        "SLURM_CPUS_PER_TASK '\(slurm)' is not a thread count (an integer from 1 to \(maximum))")
    }
    return n
  }

  /// Runs `body` with every kernel on `threads` threads: OpenBLAS at one thread per call (our
  /// threads split the products, see `sgemm(_:transA:…)`) and `Parallelism(threads:)` bound.
  public static func run<T>(threads: Int, _ body: () throws -> T) rethrows -> T {
    BLAS.setThreads(1)
    return try Parallelism(threads: threads).with(body)
  }
}
