import Foundation

/// fairseq's training meters over a span of updates (an interval of `--log-interval` updates or an
/// epoch): loss, accuracy and perplexity from the sums of the span (averages weighted by sample
/// size), the mean gradient norm, the share of clipped updates, mean words and rows per batch,
/// and words and updates per second of the span. Updates skipped for an fp16 overflow count in
/// the rates and batch sizes but not in loss or gradient norm.
struct TrainMeters {
  private var start: Date
  private var steps = 0
  private var counted = 0
  private var lossSum = 0.0
  private var sampleSize = 0.0
  private var correct = 0.0
  private var gnormSum = 0.0
  private var clipped = 0
  private var tokens = 0
  private var rows = 0

  /// Meters starting at `start`.
  init(start: Date = Date()) { self.start = start }

  /// Whether no update was added.
  var isEmpty: Bool { steps == 0 }

  /// Adds the update `r` over `tokens` tokens and `rows` rows; `clipNorm` (0: off) decides
  /// whether its gradient was clipped.
  mutating func add(_ r: UpdateResult, tokens: Int, rows: Int, clipNorm: Double) {
    steps += 1
    self.tokens += tokens
    self.rows += rows
    guard !r.skipped else { return }
    counted += 1
    lossSum += r.lossSum
    sampleSize += r.sampleSize
    correct += r.correct
    gnormSum += r.gradNorm
    if clipNorm > 0, r.gradNorm > clipNorm { clipped += 1 }
  }

  /// The figures in fairseq's order (`loss`, `ppl` or `accuracy`, `wps`, `ups`, `wpb`, `bsz`,
  /// `num_updates`, `lr`, `gnorm`, `clip`, `loss_scale` with fp16 only, `wall`) at `now`.
  func figures(
    languageModel: Bool, numUpdates: Int, lr: Double, lossScale: Double?, wall: Double,
    now: Date = Date()
  ) -> [(key: String, value: Double)] {
    let seconds = max(now.timeIntervalSince(start), 1e-9)
    let n = Double(max(steps, 1))
    let m = TrainLog.metrics(
      lossSum: lossSum, sampleSize: sampleSize, correct: correct, languageModel: languageModel)
    var out: [(key: String, value: Double)] = [("loss", m["loss"]!)]
    out.append(languageModel ? ("ppl", m["ppl"]!) : ("accuracy", m["accuracy"]!))
    out += [
      ("wps", Double(tokens) / seconds), ("ups", Double(steps) / seconds),
      ("wpb", Double(tokens) / n), ("bsz", Double(rows) / n),
      ("num_updates", Double(numUpdates)), ("lr", lr),
      ("gnorm", gnormSum / Double(max(counted, 1))),
      ("clip", Double(clipped) / Double(max(counted, 1))),
    ]
    if let lossScale { out.append(("loss_scale", lossScale)) }
    out.append(("wall", wall))
    return out
  }
}
