import Data
import Models

/// Rows that evaluation reads: a count, and the micro-batch of any subset of them.
public protocol EvaluationRows {
  /// Number of rows.
  var count: Int { get }
  /// The batch of `rows`, padded to their longest row.
  func batch(_ rows: [Int]) throws -> MicroBatch
}

extension Examples: EvaluationRows {
  /// The batch of `rows`, padded to their longest row.
  public func batch(_ rows: [Int]) throws -> MicroBatch {
    try batch(rows, lengths: paddedLengths(rows))
  }
}

/// fairseq-eval-lm's `--context-window` protocol (MODEL.md §5.9, SeqBoat enwik8): the stream is
/// cut into consecutive segments of `tokensPerSample − contextWindow` scored tokens; each row is a
/// segment preceded by up to `contextWindow` tokens of context that are read but not scored.
public struct LMContextWindows: EvaluationRows {
  /// The split.
  public let split: DatasetSplit
  /// Tokens scored per row.
  public let scored: Int
  /// Context tokens before each segment.
  public let context: Int
  private let total: Int

  /// Segments of `split`; throws unless 0 ≤ `contextWindow` < `tokensPerSample`.
  public init(split: DatasetSplit, tokensPerSample: Int, contextWindow: Int) throws {
    guard contextWindow >= 0, contextWindow < tokensPerSample else {
      throw TrainingError(
        "--context-window \(contextWindow) must be in 0 ..< --tokens-per-sample \(tokensPerSample)")
    }
    self.split = split
    scored = tokensPerSample - contextWindow
    context = contextWindow
    total = Int(split.lineOffsets.last ?? 0)
  }

  /// Number of segments.
  public var count: Int { (total + scored - 1) / scored }

  /// Rows `rows`: inputs are the window's tokens shifted right by one (`</s>` before the stream),
  /// targets the window's tokens with the context positions set to `<pad>` (not scored).
  public func batch(_ rows: [Int]) throws -> MicroBatch {
    let windows = rows.map { row -> (start: Int, first: Int, end: Int) in
      let first = row * scored
      return (max(first - context, 0), first, min(first + scored, total))
    }
    let pieces = try split.tokens(ranges: windows.map { max($0.start - 1, 0)..<$0.end })
    let length = windows.map { $0.end - $0.start }.max() ?? 0
    let pad = Int(DatasetFormat.padID)
    var inputs = [Int](repeating: pad, count: rows.count * length)
    var targets = inputs
    for (r, (w, piece)) in zip(windows, pieces).enumerated() {
      let shifted =
        w.start == 0 ? [DatasetFormat.eosID] + piece.dropLast() : Array(piece.dropLast())
      let window = w.start == 0 ? piece : Array(piece.dropFirst())
      for t in 0..<(w.end - w.start) {
        inputs[r * length + t] = Int(shifted[t])
        if w.start + t >= w.first { targets[r * length + t] = Int(window[t]) }
      }
    }
    return .languageModel(tokens: inputs, targets: targets, batch: rows.count)
  }
}
