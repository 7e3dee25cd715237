#if canImport(Glibc)
  import Glibc
#endif

/// Wall-clock measurements and process figures for `seqboat bench`.
enum BenchClock {
  /// Seconds on the monotonic clock.
  static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }

  /// Seconds of each of `repeats` runs of `body`, after `warmup` runs that are not timed.
  static func times(warmup: Int, repeats: Int, _ body: () throws -> Void) rethrows -> [Double] {
    for _ in 0..<warmup { try body() }
    return try (0..<max(repeats, 1)).map { _ in
      let start = now()
      try body()
      return now() - start
    }
  }

  /// The median of `values` (the mean of the two middle ones for an even count).
  static func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    guard !s.isEmpty else { return 0 }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
  }

  /// The process's peak resident set size in MB (`getrusage`, kB on Linux).
  static func peakResidentMB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
  }
}
