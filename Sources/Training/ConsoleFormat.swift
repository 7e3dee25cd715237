import Foundation

/// `--log-format`: how rank 0 shows training on standard output, as fairseq's progress bars do.
public enum ConsoleFormat: String, CaseIterable, Sendable {
  /// `| epoch 001:    100 / 1000 loss=…, …` every `--log-interval` updates.
  case simple
  /// One JSON object per line, fairseq's keys (`epoch`, `update`, `loss`; `train_loss` and
  /// `valid_loss` in epoch summaries and validations), values as fairseq writes them (strings).
  case json
  /// A progress bar redrawn in place on standard error; only when that is a terminal (simple
  /// lines otherwise).
  case tqdm
  /// No progress, summary or validation lines.
  case none

  /// The format in effect for `requested` (nil: fairseq's default, tqdm), where `terminal` says
  /// whether standard error is one: tqdm falls back to simple when it is not, as in fairseq.
  public static func resolve(_ requested: String?, terminal: Bool) -> ConsoleFormat {
    let format = requested.flatMap(ConsoleFormat.init(rawValue:)) ?? .tqdm
    return format == .tqdm && !terminal ? .simple : format
  }
}
