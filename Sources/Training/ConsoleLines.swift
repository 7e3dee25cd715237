import Foundation

/// The text of a `LogStats` in the console's formats, shaped as fairseq 0.9's progress bars print
/// it.
enum ConsoleLines {
  /// `| epoch 001:    100 / 1000 loss=…, …` for an interval; `| epoch 001 | loss … | …` for an
  /// epoch; `| epoch 001 | valid on 'valid' subset | loss … | …` for a validation.
  static func simple(_ s: LogStats) -> String {
    let prefix = String(format: "epoch %03d", s.epoch)
    switch s.kind {
    case .interval(let batch, let batches):
      let postfix = s.figures.map { "\($0.key)=\(LogStats.text($0.key, $0.value))" }
      return "| \(prefix): " + String(format: "%5d / %d ", batch, batches)
        + postfix.joined(separator: ", ")
    case .epoch:
      return "| \(prefix) | " + piped(s)
    case .validation(let split):
      return "| \(prefix) | valid on '\(split)' subset | " + piped(s)
    }
  }

  /// One JSON object: `epoch`, then for an interval `update` (the epoch reached, as a fraction,
  /// 3 decimals) and the figures under their names; for an epoch or a validation the figures
  /// under the tag's prefix (`train_loss`, `valid_loss`). Values are strings, as fairseq's.
  static func json(_ s: LogStats) -> String {
    var pairs = ["\"epoch\": \(s.epoch)"]
    var prefix = s.tag + "_"
    if case .interval(let batch, let batches) = s.kind {
      let update = Double(s.epoch - 1) + Double(batch) / Double(max(batches, 1))
      pairs.append("\"update\": \(quoted(String(format: "%.3f", update), string: false))")
      prefix = ""
    }
    for (key, value) in s.figures {
      pairs.append("\(quoted(prefix + key)): \(quoted(LogStats.text(key, value)))")
    }
    return "{" + pairs.joined(separator: ", ") + "}"
  }

  /// The figures as `key value` joined by ` | `.
  private static func piped(_ s: LogStats) -> String {
    s.figures.map { "\($0.key) \(LogStats.text($0.key, $0.value))" }.joined(separator: " | ")
  }

  /// `text` as a JSON string, or (with `string` false) as a number written as Python writes a
  /// float (trailing zeros removed, one decimal kept).
  private static func quoted(_ text: String, string: Bool = true) -> String {
    guard string else {
      var t = text
      while t.contains("."), t.hasSuffix("0") { t.removeLast() }
      return t.hasSuffix(".") ? t + "0" : t
    }
    let escaped = text.replacingOccurrences(of: "\\", with: "\\\\")
      .replacingOccurrences(of: "\"", with: "\\\"")
    return "\"\(escaped)\""
  }
}
