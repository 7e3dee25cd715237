import Foundation
import Models

/// Rank 0's logs: fairseq-shaped progress on standard output in the `--log-format` chosen,
/// warnings on standard error and, with `--log-file`, one JSON object per line for tools (one per
/// update, one per evaluation, and one per language-model split whose over-long blocks were
/// dropped, without an update number).
public final class TrainLog {
  private let handle: FileHandle?
  private let path: String
  private let enabled: Bool
  private let start = Date()
  /// The console's format in effect.
  public let format: ConsoleFormat
  private var bar: (epoch: Int, batches: Int, postfix: String)?
  private var barDrawn = false

  /// A log that writes only when `enabled` (rank 0); `jsonPath` empty means no JSON lines. An
  /// existing JSON-lines file is appended to (a resumed run continues it); its folder is created
  /// when missing, as fairseq creates the save folder. `format`: `--log-format` (nil: tqdm when
  /// standard error is a terminal, else simple, as fairseq decides; under mpirun a rank's
  /// standard output is a pseudo-terminal whatever mpirun's own is, so it cannot tell).
  public init(jsonPath: String, enabled: Bool, format: String? = nil) throws {
    self.enabled = enabled
    self.format = ConsoleFormat.resolve(format, terminal: isatty(STDERR_FILENO) != 0)
    path = jsonPath
    guard enabled, !jsonPath.isEmpty else {
      handle = nil
      return
    }
    if !FileManager.default.fileExists(atPath: jsonPath) {
      let folder = URL(fileURLWithPath: jsonPath).deletingLastPathComponent()
      try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      guard FileManager.default.createFile(atPath: jsonPath, contents: nil) else {
        throw TrainingError("--log-file \(jsonPath): cannot create")
      }
    }
    guard let h = FileHandle(forWritingAtPath: jsonPath) else {
      throw TrainingError("--log-file \(jsonPath): cannot open for writing")
    }
    h.seekToEndOfFile()
    handle = h
  }

  /// Seconds since the log was opened.
  public var wall: Double { Date().timeIntervalSince(start) }

  /// A line on the console (a header or a message), in every format.
  public func line(_ text: String) {
    guard enabled else { return }
    endBar()
    print(text)
    fflush(stdout)
  }

  /// Figures on the console in its format: a line (simple), a JSON object (json), the bar's
  /// figures or a summary line (tqdm), nothing (none).
  public func show(_ stats: LogStats) {
    guard enabled else { return }
    switch format {
    case .none: return
    case .json: line(ConsoleLines.json(stats))
    case .simple: line(ConsoleLines.simple(stats))
    case .tqdm:
      guard case .interval(let batch, let batches) = stats.kind else {
        return line(ConsoleLines.simple(stats))
      }
      let postfix = stats.figures.map { "\($0.key)=\(LogStats.text($0.key, $0.value))" }
      bar = (stats.epoch, batches, postfix.joined(separator: ", "))
      advance(epoch: stats.epoch, batch: batch, batches: batches)
    }
  }

  /// The tqdm bar, on standard error as tqdm draws it, redrawn at `batch` of `batches` (other
  /// formats: nothing).
  public func advance(epoch: Int, batch: Int, batches: Int) {
    guard enabled, format == .tqdm else { return }
    let postfix = bar.flatMap { $0.epoch == epoch ? $0.postfix : nil } ?? ""
    let fraction = Double(batch) / Double(max(batches, 1))
    let filled = Int(fraction * 20)
    let drawn = String(repeating: "#", count: filled) + String(repeating: "-", count: 20 - filled)
    let text = String(
      format: "\r\u{1B}[Kepoch %03d: %3d%%|%@| %d/%d", epoch, Int(fraction * 100), drawn, batch,
      batches)
    FileHandle.standardError.write(
      Foundation.Data((text + (postfix.isEmpty ? "" : " [" + postfix + "]")).utf8))
    barDrawn = true
  }

  /// Ends a drawn bar's line, so that the next line starts below it.
  private func endBar() {
    guard barDrawn else { return }
    FileHandle.standardError.write(Foundation.Data("\n".utf8))
    barDrawn = false
  }

  /// A warning line on standard error.
  public func warning(_ text: String) {
    guard enabled else { return }
    fputs(text + "\n", stderr)
    fflush(stderr)
  }

  /// One JSON object (keys sorted) on its own line of the JSON-lines file; a non-finite number
  /// (the gradient norm of an fp16 overflow) is written as `null`. A failed write (a full disk) is
  /// an error naming the file.
  public func record(_ fields: [String: Any]) throws {
    let finite = fields.mapValues { value -> Any in
      if let d = value as? Double, !d.isFinite { return NSNull() }
      return value
    }
    guard let handle,
      let data = try? JSONSerialization.data(withJSONObject: finite, options: [.sortedKeys])
    else { return }
    do {
      try handle.write(contentsOf: data + Data("\n".utf8))
    } catch {
      throw TrainingError("--log-file \(path): cannot write: \(Self.reason(error))")
    }
  }

  /// The system's words for a failed write ("No space left on device"), from the POSIX error
  /// inside Foundation's.
  static func reason(_ error: Error) -> String {
    let e = error as NSError
    let posix =
      e.domain == NSPOSIXErrorDomain ? e : e.userInfo[NSUnderlyingErrorKey] as? NSError
    guard let posix, posix.domain == NSPOSIXErrorDomain else { return e.localizedDescription }
    return String(cString: strerror(Int32(posix.code)))
  }

  /// The metrics fairseq logs for a loss summed over `sampleSize` samples: `loss` in bits per
  /// sample, and `accuracy` (classification, percent) or `ppl` and `bpc` (language models).
  public static func metrics(
    lossSum: Double, sampleSize: Double, correct: Double, languageModel: Bool
  ) -> [String: Double] {
    let bits = Losses.bits(lossSum, sampleSize: Int(sampleSize))
    if languageModel {
      return ["loss": bits, "bpc": bits, "ppl": Losses.perplexity(bits: bits)]
    }
    return ["loss": bits, "accuracy": 100 * correct / max(sampleSize, 1)]
  }

  /// `key value` pairs joined by ` | `, numbers with 4 significant digits (6 for lr).
  public static func format(_ pairs: [(String, Double)]) -> String {
    pairs.map { key, value in
      let text: String
      if key == "lr" {
        text = String(format: "%.6g", value)
      } else if value == value.rounded() && abs(value) < 1e9 {
        text = String(Int(value))
      } else {
        text = String(format: "%.4g", value)
      }
      return "\(key) \(text)"
    }.joined(separator: " | ")
  }
}
