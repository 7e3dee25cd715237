import Data
import Optim

/// The ranges and combinations `seqboat train` accepts for its own options, checked before any
/// work: a value out of range, or an option that no fairseq parser of the chosen learning-rate
/// scheduler or task has, is one line naming the flag. fairseq's fp16 options belong to its
/// common parser, so they are accepted without `--fp16` (with a note that they do nothing).
extension TrainOptions {
  /// Throws for the first option out of range or given where nothing reads it.
  public func validate() throws {
    func need(_ ok: Bool, _ flag: String, _ value: Any, _ range: String) throws {
      if !ok { throw TrainingError("--\(flag) \(value) is out of range: \(range)") }
    }
    if let logFormat, ConsoleFormat(rawValue: logFormat) == nil {
      throw TrainingError(
        "--log-format \(logFormat) is not one of "
          + ConsoleFormat.allCases.map(\.rawValue).joined(separator: ", "))
    }
    for (flag, v) in [
      ("max-update", maxUpdate), ("max-epoch", maxEpoch), ("warmup-updates", warmupUpdates),
      ("validate-interval-updates", validateIntervalUpdates),
      ("save-interval-updates", saveIntervalUpdates), ("batch-size-valid", batchSizeValid),
      ("fp16-scale-window", fp16ScaleWindow),
    ] {
      try need(v >= 0, flag, v, "must be >= 0")
    }
    for (flag, v) in [
      ("update-freq", updateFreq), ("log-interval", logInterval),
      ("tokens-per-sample", tokensPerSample), ("total-num-update", totalNumUpdate),
      ("warmup-power", warmupPower),
    ] {
      try need(v >= 1, flag, v, "must be >= 1")
    }
    try need(
      batchSize >= (maxTokens == nil ? 1 : 0), "batch-size", batchSize,
      maxTokens == nil ? "must be >= 1" : "must be >= 0 (0: no cap on rows with --max-tokens)")
    for (flag, v) in [
      ("max-tokens", maxTokens), ("required-batch-size-multiple", requiredBatchSizeMultiple),
      ("variant-block-multiple-min", variantBlockMultipleMin),
      ("variant-block-multiple-max", variantBlockMultipleMax), ("save-interval", saveInterval),
      ("validate-interval", validateInterval),
    ] {
      if let v { try need(v >= 1, flag, v, "must be >= 1") }
    }
    if let validBlock { _ = try MegaLMEvalOptions.ValidBlock(parsing: validBlock) }
    try need(keepIntervalUpdates >= -1, "keep-interval-updates", keepIntervalUpdates, ">= -1")
    for (flag, v) in [
      ("lr", lr), ("weight-decay", weightDecay), ("clip-norm", clipNorm),
      ("end-learning-rate", endLearningRate), ("min-lr", minLR),
    ] {
      try need(v.isFinite && v >= 0, flag, v, "must be finite and >= 0")
    }
    for (flag, v) in [
      ("adam-eps", adamEps), ("fp16-init-scale", fp16InitScale),
      ("min-loss-scale", minLossScale), ("t-mult", tMult),
    ] {
      try need(v.isFinite && v > 0, flag, v, "must be finite and > 0")
    }
    try need(lrShrink.isFinite && lrShrink > 0 && lrShrink <= 1, "lr-shrink", lrShrink, "(0, 1]")
    try need(
      warmupInitLR == -1 || (warmupInitLR.isFinite && warmupInitLR >= 0), "warmup-init-lr",
      warmupInitLR, "-1 (fairseq's default) or finite and >= 0")
    try need(
      lrPeriodUpdates == -1 || (lrPeriodUpdates.isFinite && lrPeriodUpdates > 0),
      "lr-period-updates", lrPeriodUpdates, "-1 (max-update - warmup) or > 0")
    if let p = pixelNormalization, p.count != 2 || !(p[1] > 0) || !p.allSatisfy(\.isFinite) {
      throw TrainingError(
        "--pixel-normalization takes MEAN STD with STD > 0 (got \(p.map { "\($0)" }))")
    }
    try need(
      DatasetFormat.splitNames.contains(validSubset), "valid-subset", validSubset,
      DatasetFormat.splitNames.joined(separator: ", "))
    do {
      _ = try parseAdamBetas(adamBetas)
    } catch {
      throw TrainingError(
        "--adam-betas '\(adamBetas)': two numbers in [0, 1) such as '(0.9, 0.98)'")
    }
    try checkReaders()
    _ = try shardsOptimizerState()
    _ = try makeOptimizer()
    _ = try makeSchedule()
  }

  /// Options of fairseq's `language_modeling` task given (away from their defaults) to a
  /// classifier: the classification tasks' parsers have none of them.
  public func checkTask(languageModel: Bool) throws {
    let d = TrainOptions()
    let lmOnly = [
      ("tokens-per-sample", tokensPerSample != d.tokensPerSample),
      ("sample-break-mode", sampleBreakMode != d.sampleBreakMode),
    ]
    if !languageModel, let (flag, _) = lmOnly.first(where: \.1) {
      throw TrainingError("--\(flag) is an option of --task language_modeling, not of classifiers")
    }
    if languageModel { _ = try breakMode() }
  }

  /// `--sample-break-mode` as a value.
  public func breakMode() throws -> LMBreakMode {
    guard let mode = LMBreakMode(rawValue: sampleBreakMode) else {
      throw TrainingError(
        "--sample-break-mode '\(sampleBreakMode)' is not one of "
          + LMBreakMode.allCases.map(\.rawValue).joined(separator: ", "))
    }
    return mode
  }

  /// fp16 options given without `--fp16`: accepted (fairseq's common parser has them), unused.
  public func notes() -> [String] {
    let d = TrainOptions()
    let halfOnly = [
      ("fp16-init-scale", fp16InitScale != d.fp16InitScale),
      ("fp16-scale-window", fp16ScaleWindow != d.fp16ScaleWindow),
      ("min-loss-scale", minLossScale != d.minLossScale),
    ]
    guard !fp16 else { return [] }
    return halfOnly.filter(\.1).map { "note: --\($0.0) has no effect without --fp16" }
  }

  /// Scheduler options given (away from their defaults) to a scheduler that has none of them.
  func checkReaders() throws {
    let d = TrainOptions()
    let byScheduler: [(flag: String, given: Bool, readers: [String])] = [
      ("warmup-power", warmupPower != d.warmupPower, ["linear_decay"]),
      ("total-num-update", totalNumUpdate != d.totalNumUpdate, ["linear_decay"]),
      ("end-learning-rate", endLearningRate != d.endLearningRate, ["linear_decay"]),
      ("lr-period-updates", lrPeriodUpdates != d.lrPeriodUpdates, ["cosine"]),
      ("t-mult", tMult != d.tMult, ["cosine"]),
      ("lr-shrink", lrShrink != d.lrShrink, ["cosine"]),
      ("min-lr", minLR != d.minLR, ["cosine"]),
    ]
    for (flag, given, readers) in byScheduler where given && !readers.contains(lrScheduler) {
      throw TrainingError(
        "--\(flag) is an option of --lr-scheduler \(readers.joined(separator: "/")), "
          + "not \(lrScheduler)")
    }
  }
}
