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

  /// CPU seconds used by the process (all threads).
  static func cpu() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }

  /// Wall-clock and CPU seconds of each of `repeats` runs of `body`, after `warmup` untimed runs.
  static func times(warmup: Int, repeats: Int, _ body: () throws -> Void) rethrows -> (
    wall: [Double], cpu: [Double]
  ) {
    for _ in 0..<warmup { try body() }
    var wall: [Double] = []
    var cpu: [Double] = []
    for _ in 0..<max(repeats, 1) {
      let (w0, c0) = (now(), self.cpu())
      try body()
      wall.append(now() - w0)
      cpu.append(self.cpu() - c0)
    }
    return (wall, cpu)
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
