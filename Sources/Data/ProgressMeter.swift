import Foundation

/// Progress of long work on stderr. On a terminal a bar is redrawn in place; otherwise (logs,
/// pipes, SLURM output files) a plain line is written at most every `SEQBOAT_PROGRESS_SECONDS`
/// seconds (default 5), and one when the work is done. Each report gives the steps done of the
/// total, the rate of the counted work (tokens, sentences) when there is one, and the time left.
public final class ProgressMeter {
  private let label: String
  private let total: Int
  private let unit: String
  private let workUnit: String
  private let interactive: Bool
  private let enabled: Bool
  private let interval: TimeInterval
  private let start = Date()
  private var lastReport: Date
  private var done = 0
  private var work = 0.0

  /// Progress over `total` steps of `label`, counted in `unit` ("batches"; empty: no unit);
  /// `workUnit` names what `advance(work:)` counts (empty: nothing). `enabled` false makes it
  /// silent.
  public init(
    _ label: String, total: Int, unit: String = "", workUnit: String = "", enabled: Bool = true
  ) {
    self.label = label
    self.total = max(total, 1)
    self.unit = unit
    self.workUnit = workUnit
    self.enabled = enabled
    interactive = isatty(STDERR_FILENO) != 0
    let configured = ProcessInfo.processInfo.environment["SEQBOAT_PROGRESS_SECONDS"]
      .flatMap(Double.init).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
    interval = configured ?? (interactive ? 0.2 : 5)
    lastReport = start
  }

  /// Records `steps` more done and `work` more units of counted work; reports when it is time
  /// (the last step is left to `finish`).
  public func advance(_ steps: Int = 1, work: Double = 0) {
    done += steps
    self.work += work
    let now = Date()
    guard enabled, done < total, now.timeIntervalSince(lastReport) >= interval else { return }
    lastReport = now
    report(final: false, now: now)
  }

  /// Reports completion.
  public func finish() {
    guard enabled else { return }
    done = total
    report(final: true, now: Date())
  }

  private func report(final: Bool, now: Date) {
    let elapsed = now.timeIntervalSince(start)
    let fraction = min(Double(done) / Double(total), 1)
    var figures = "\(done)/\(total)\(unit.isEmpty ? "" : " " + unit) (\(Int(fraction * 100))%)"
    if !workUnit.isEmpty, elapsed > 0 {
      figures += ", \(Int((work / elapsed).rounded())) \(workUnit)/s"
    }
    if final {
      figures += ", \(Self.clock(elapsed))"
    } else if done > 0 {
      figures += ", ETA \(Self.clock(elapsed / Double(done) * Double(max(total - done, 0))))"
    }
    let line: String
    if interactive {
      let width = 30
      let filled = Int(fraction * Double(width))
      let bar =
        String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
      line = "\r\u{1B}[K\(label) [\(bar)] \(figures)" + (final ? "\n" : "")
    } else {
      line = "\(label): \(figures)\n"
    }
    FileHandle.standardError.write(Foundation.Data(line.utf8))
  }

  /// `seconds` as m:ss, or h:mm:ss from an hour.
  static func clock(_ seconds: Double) -> String {
    let whole = Int(seconds.rounded())
    let (hours, minutes, rest) = (whole / 3600, whole / 60 % 60, whole % 60)
    return hours > 0
      ? String(format: "%d:%02d:%02d", hours, minutes, rest)
      : String(format: "%d:%02d", minutes, rest)
  }
}
