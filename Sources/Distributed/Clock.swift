import Glibc

/// Seconds on the monotonic clock (for deadlines and measurements).
public func monotonicSeconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Sleeps for `seconds` (sub-millisecond resolution).
public func pause(seconds: Double) {
  var ts = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
  nanosleep(&ts, nil)
}
