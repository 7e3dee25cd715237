import Foundation

/// Progress of a long conversion on stderr: a bar redrawn in place on a terminal, plain lines
/// at most every few seconds otherwise (logs, pipes, SLURM output files).
public final class Progress {
  private let label: String
  private let total: Int
  private let interactive: Bool
  private let enabled: Bool
  private var done = 0
  private var lastReport = Date.distantPast
  private let interval: TimeInterval

  /// Progress over `total` units of `label`; `enabled` false makes it silent.
  public init(_ label: String, total: Int, enabled: Bool = true) {
    self.label = label
    self.total = max(total, 1)
    self.enabled = enabled
    interactive = isatty(STDERR_FILENO) != 0
    interval = interactive ? 0.2 : 5
  }

  /// Records `units` more done and reports when it is time.
  public func advance(_ units: Int = 1) {
    done += units
    let now = Date()
    guard enabled, now.timeIntervalSince(lastReport) >= interval else { return }
    lastReport = now
    report(final: false)
  }

  /// Reports completion.
  public func finish() {
    guard enabled else { return }
    done = total
    report(final: true)
  }

  private func report(final: Bool) {
    let fraction = min(Double(done) / Double(total), 1)
    let percent = Int(fraction * 100)
    let line: String
    if interactive {
      let width = 30
      let filled = Int(fraction * Double(width))
      let bar =
        String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
      line = "\r\(label) [\(bar)] \(percent)% (\(done)/\(total))" + (final ? "\n" : "")
    } else {
      line = "\(label): \(done)/\(total) (\(percent)%)\n"
    }
    FileHandle.standardError.write(Data(line.utf8))
  }
}

/// Writes a note line to stderr.
func note(_ text: String) {
  FileHandle.standardError.write(Data((text + "\n").utf8))
}
