import Data
import Distributed
import Foundation
import Layers
import Models
import Tensor

/// How a training run ended.
public enum TrainingOutcome: Equatable {
  /// `--max-update` or `--max-epoch` reached (or already reached at start).
  case finished
  /// Stopped on SIGUSR1/SIGTERM after saving `checkpoint_last.h5`: resume me.
  case stopped
}

/// `seqboat train` on every rank: builds the model, resumes from a checkpoint when there is one,
/// and runs updates over the global batches of each epoch (DATASETS.md 2.5), with evaluation,
/// logs, checkpoints and stopping on request.
public final class TrainingRun {
  /// The options.
  public let options: TrainOptions
  /// The model's hyperparameters.
  public let config: ModelConfig
  /// The world.
  public let communicator: Communicator
  /// The trainer.
  public let trainer: Trainer
  /// Training examples.
  public let train: Examples
  /// Validation examples.
  public let valid: Examples
  private let log: TrainLog
  private let resumeOptions: ResumeOptions
  private let identity: RunIdentity
  private let schedule: RestartableSchedule
  private var epoch = 1
  private var batchInEpoch = 0
  private var bestMetric: Double?
  private let policy: CheckpointPolicy
  private var earlyStopping: EarlyStopping
  private let validBlock: MegaLMEvalOptions.ValidBlock?
  private var lastUpdateTime = Date()
  private var intervalStart = (time: Date(), updates: 0, tokens: 0)

  /// Prepares a run: checks, model, optimizer, schedule, and the resumed state (what of the
  /// checkpoint applies: `resume`). The stop signals' handlers are installed first, so a request
  /// during start-up is kept for the first update boundary.
  public init(
    config: ModelConfig, options: TrainOptions, communicator: Communicator,
    resume: ResumeOptions = ResumeOptions()
  ) throws {
    StopSignal.install()
    self.options = options
    resumeOptions = resume
    self.communicator = communicator
    try RunChecks.batching(options, config: config, worldSize: communicator.size)
    let file = try DatasetFile.open(options.data)
    identity = try RunIdentity(options: options, file: file)
    var config = config
    if options.syncBN, config.normType == .batchnorm { config.normType = .syncbatchnorm }
    self.config = config
    try RunChecks.model(config, fits: file)
    try RunChecks.fairseqTask(options, config: config, file: file)
    if options.sentenceAvg, config.task == .lm {
      throw TrainingError("--sentence-avg: language models average over target tokens")
    }
    try RunChecks.chunking(config, file: file)
    let mode = try options.breakMode()
    train = try Examples(
      file: file, split: "train", tokensPerSample: options.tokensPerSample, breakMode: mode,
      maxPositions: config.maxPositions, pixelNormalization: options.pixelNormalization,
      variant: try EpochPlan.variantBlocks(options, config: config))
    valid = try Examples(
      file: file, split: options.validSubset, tokensPerSample: options.tokensPerSample,
      breakMode: mode, maxPositions: config.maxPositions,
      pixelNormalization: options.pixelNormalization)
    policy = CheckpointPolicy(
      options: options, metric: try BestMetric(options: options, languageModel: config.task == .lm))
    earlyStopping = EarlyStopping(patience: options.patience ?? -1)
    // The reference validates Mega language models its own way (`validate_mega_lm`); it parses
    // --valid-block for SeqBoat ones but never reads it.
    validBlock =
      config.family == .mega
      ? try options.validBlock.map(MegaLMEvalOptions.ValidBlock.init(parsing:)) : nil
    guard options.maxTokens != nil || train.count >= options.batchSize else {
      throw TrainingError(
        "--batch-size \(options.batchSize) exceeds the \(train.count) training examples of "
          + "\(options.data)")
    }
    let model = makeModel(config, seed: options.seed)
    var scaler: LossScaler?
    if options.fp16 {
      let window =
        options.fp16ScaleWindow > 0
        ? options.fp16ScaleWindow
        : LossScaler.defaultWindow(ranks: communicator.size, updateFreq: options.updateFreq)
      scaler = LossScaler(
        initScale: options.fp16InitScale, window: window, minScale: options.minLossScale)
    }
    schedule = RestartableSchedule(try options.makeSchedule())
    trainer = try Trainer(
      model: model, communicator: communicator, optimizer: try options.makeOptimizer(),
      schedule: schedule, clipNorm: options.clipNorm, scaler: scaler,
      dropoutSeed: options.seed, zeroSharding: try options.shardsOptimizerState())
    let args = try Checkpoint.json(ModelArgs.table(config))
    try communicator.verifySameSetup(
      configHash: fnv1a64(args + (try options.json())),
      parameterCount: model.parameterCount)
    try communicator.broadcastValues(model.stateDict.map(\.tensor))
    log = try TrainLog(jsonPath: options.logFile, enabled: communicator.rank == 0)
    for examples in [train, valid] { try reportDropped(examples) }
    if communicator.rank == 0 {
      for name in Checkpoint.removeStaleTemporaries(in: options.saveDir) {
        log.warning("seqboat: removed \(options.saveDir)/\(name), left by a save that was killed")
      }
    }
    try loadStartingCheckpoint()
  }

  /// The size filter's drops of `examples`: a line on standard error and a JSON record.
  private func reportDropped(_ examples: Examples) throws {
    guard let note = examples.droppedNote, let f = examples.sizeFilter else { return }
    log.warning("seqboat: warning: " + note)
    try log.record([
      "split": examples.split.name, "dropped_blocks": f.droppedBlocks,
      "dropped_tokens": f.droppedTokens, "kept_blocks": f.kept.count, "max_length": f.maxLength,
    ])
  }

  /// Loads the starting checkpoint, if any (`ResumeSource`), as far as the reset flags allow.
  private func loadStartingCheckpoint() throws {
    guard let source = try ResumeSource.find(options: options, resume: resumeOptions) else {
      return
    }
    let (path, checkpoint, reset) = (source.path, source.checkpoint, source.reset)
    if let warning = try source.check(modelArgs: ModelArgs.table(config), identity: identity) {
      log.warning("seqboat: warning: " + warning)
    }
    let unused: [String]
    do {
      unused = try trainer.model.load(checkpoint.tensors)
    } catch {
      throw TrainingError("\(path): \(error)")
    }
    if let name = unused.first { throw TrainingError("\(path): /model/\(name): not in this model") }
    if !reset.resetOptimizer {
      do {
        try trainer.restoreOptimizerState(checkpoint.moments)
      } catch {
        throw TrainingError("\(path): /optimizer: \(error)")
      }
      trainer.numUpdates = checkpoint.numUpdates
      if options.fp16, let saved = checkpoint.scaler { trainer.scaler = saved }
      schedule.origin =
        reset.resetLRScheduler ? checkpoint.numUpdates : checkpoint.lrScheduleOrigin
    }
    if !reset.resetDataloader {
      epoch = checkpoint.epoch
      batchInEpoch = checkpoint.batchInEpoch
    }
    if !reset.resetOptimizer && !reset.resetMeters {
      bestMetric = checkpoint.bestMetric
      let saved = try BestMetric(options: checkpoint.options, languageModel: isLM)
      guard saved == policy.metric else {
        throw TrainingError(
          "\(path): its best checkpoint is by \(saved.name)\(saved.maximize ? " (maximised)" : ""),"
            + " not --best-checkpoint-metric \(policy.metric.name)"
            + (policy.metric.maximize ? " --maximize-best-checkpoint-metric" : "")
            + " (--reset-meters starts a new best)")
      }
    }
    let resets = source.finetune ? ["weights only"] : reset.givenResets
    log.line(
      "loaded checkpoint \(path) (epoch \(checkpoint.epoch), \(checkpoint.numUpdates) updates, "
        + "saved by \(checkpoint.worldSize) ranks; now \(communicator.size))"
        + (resets.isEmpty ? "" : "; " + resets.joined(separator: ", ")))
  }

  private var isLM: Bool { config.task == .lm }

  private var done: Bool {
    (options.maxUpdate > 0 && trainer.numUpdates >= options.maxUpdate)
      || (options.maxEpoch > 0 && epoch > options.maxEpoch)
  }

  /// Runs until `--max-update`/`--max-epoch` or a stop request.
  public func run() throws -> TrainingOutcome {
    MemoryPolicy.reuseFreedMemory()
    if done {
      log.line("training already complete (\(trainer.numUpdates) updates, epoch \(epoch))")
      return .finished
    }
    training: while !done {
      if try train.reblock(epoch: epoch) { try reportDropped(train) }
      let plan = try EpochPlan.batches(train, options: options, epoch: epoch)
      guard !plan.isEmpty else {
        throw TrainingError("epoch \(epoch): the \(train.count) training examples make no batch")
      }
      if batchInEpoch >= plan.count {  // saved at an epoch's end by an earlier version
        epoch += 1
        batchInEpoch = 0
        continue training
      }
      while batchInEpoch < plan.count {
        let rows = plan[batchInEpoch]
        let result = try trainer.update(
          try microBatches(rows), stopRequested: StopSignal.requested)
        batchInEpoch += 1
        try report(result, rows: rows, batches: plan.count)
        let finished = batchInEpoch == plan.count ? epoch : nil
        if finished != nil {
          epoch += 1
          batchInEpoch = 0
        }
        let stopEarly = try validateAndSave(finishedEpoch: finished, skipped: result.skipped)
        if result.stopRequested {
          let saving = !(options.noSave ?? false)
          if saving { try save(["checkpoint_last.h5"]) }
          try communicator.barrier()
          log.line(
            "stopped on request after \(trainer.numUpdates) updates; "
              + (saving ? "resume me" : "nothing saved (--no-save)"))
          return .stopped
        }
        if stopEarly {
          log.line(
            "stopping early: \(policy.metric.name) on '\(options.validSubset)' has not improved "
              + "in \(earlyStopping.patience) validations (--patience)")
          break training
        }
        if done || finished != nil { continue training }
      }
    }
    try communicator.barrier()
    log.line(
      "done training: \(trainer.numUpdates) updates in \(String(format: "%.1f", log.wall)) s")
    return .finished
  }

  /// This rank's rows of each micro-batch of global batch `rows`, padded to the longest row of
  /// the micro-batch over all ranks; an empty share is a placeholder that adds nothing.
  private func microBatches(_ rows: [Int]) throws -> [MicroBatch] {
    let k = options.updateFreq
    return try (0..<k).map { j in
      let all = EpochPlan.share(rows, part: j, of: k)
      let mine = EpochPlan.share(all, part: communicator.rank, of: communicator.size)
      let lengths = train.paddedLengths(all)
      if mine.isEmpty { return try train.placeholder(all.first ?? rows[0], lengths: lengths) }
      return try train.batch(mine, lengths: lengths)
    }
  }

  private func report(_ r: UpdateResult, rows: [Int], batches: Int) throws {
    let now = Date()
    let seconds = max(now.timeIntervalSince(lastUpdateTime), 1e-9)
    lastUpdateTime = now
    var fields = TrainLog.metrics(
      lossSum: r.lossSum, sampleSize: r.sampleSize, correct: r.correct, languageModel: isLM)
    fields["lr"] = r.lr
    fields["gnorm"] = r.gradNorm
    fields["loss_scale"] = r.lossScale
    fields["ups"] = 1 / seconds
    fields["wps"] = Double(train.tokenCount(rows)) / seconds
    fields["wall"] = log.wall
    var record: [String: Any] = fields
    record["update"] = trainer.numUpdates
    record["epoch"] = epoch
    record["skipped"] = r.skipped
    record["bsz"] = rows.count
    record["wpb"] = train.tokenCount(rows)
    try log.record(record)
    let n = trainer.numUpdates
    intervalStart.tokens += train.tokenCount(rows)
    guard n == 1 || r.skipped || n % max(options.logInterval, 1) == 0 else { return }
    let span = max(now.timeIntervalSince(intervalStart.time), 1e-9)
    fields["ups"] = Double(max(n - intervalStart.updates, 1)) / span
    fields["wps"] = Double(intervalStart.tokens) / span
    intervalStart = (now, n, 0)
    let keys = [
      "loss", isLM ? "ppl" : "accuracy", "lr", "gnorm", "loss_scale", "ups", "wps", "wall",
    ]
    log.line(
      String(format: "epoch %03d: %5d / %d | ", epoch, batchInEpoch, batches)
        + TrainLog.format([("num_updates", Double(n))] + keys.map { ($0, fields[$0]!) })
        + (r.skipped ? " | overflow: step skipped, loss scale halved" : ""))
  }

  /// fairseq's `validate_and_save` after an update (`finishedEpoch`: the epoch it ended):
  /// validates and saves as `policy` says, always on the run's last update; a save updates the
  /// best figure and writes its files, then removes those the keep-options no longer keep.
  /// Returns whether `--patience` stops the run.
  private func validateAndSave(finishedEpoch: Int?, skipped: Bool) throws -> Bool {
    let n = trainer.numUpdates
    let end = finishedEpoch != nil
    let e = finishedEpoch ?? epoch
    let repeated = skipped && !end  // an overflow step: the interval actions already ran at n
    let validating =
      done || (!repeated && policy.validates(updates: n, epoch: e, endOfEpoch: end, final: false))
    let value = validating ? try validate(epoch: e) : nil
    let stopEarly = value.map { earlyStopping.shouldStop($0, metric: policy.metric) } ?? false
    guard done || stopEarly || (!repeated && policy.saves(updates: n, epoch: e, endOfEpoch: end))
    else { return stopEarly }
    let isBest = value.map { policy.metric.isBest($0, previous: bestMetric) } ?? false
    if let value { bestMetric = policy.metric.best(value, previous: bestMetric) }
    try save(policy.files(updates: n, epoch: e, endOfEpoch: end, value: value, isBest: isBest))
    if communicator.rank == 0, FileManager.default.fileExists(atPath: options.saveDir) {
      for name in try policy.surplus(in: options.saveDir, endOfEpoch: end) {
        try FileManager.default.removeItem(atPath: options.saveDir + "/" + name)
      }
    }
    return stopEarly
  }

  /// Evaluates the valid split and returns the best-checkpoint metric's value. Batch-norm running
  /// statistics (updated by each rank on its own rows unless `--sync-bn`) are first copied from
  /// rank 0, as DDP's buffer broadcast does, so validation uses the statistics the checkpoint
  /// holds, on every rank. With `--valid-block` a Mega language model is validated as the
  /// reference's `validate_mega_lm` does: blocks of whole lines read chunk by chunk with the
  /// state carried.
  private func validate(epoch e: Int) throws -> Double {
    let buffers = trainer.model.buffers.map(\.tensor)
    if !buffers.isEmpty { try communicator.broadcastValues(buffers) }
    let r = try trainer.asHalfModel { () throws -> EvalResult in
      if let validBlock, let lm = trainer.model as? LanguageModel {
        let settings = MegaLMEvalOptions(
          validBlock: validBlock, testChunkSize: config.chunkSize, chunkNums: 1)
        return try MegaLMEvaluation.evaluate(
          lm, split: valid.split, options: settings, communicator: communicator
        ).eval
      }
      return try Evaluator.evaluate(
        trainer.model, on: valid, communicator: communicator,
        batchSize: EpochPlan.validationRows(valid, options: options, ranks: communicator.size),
        progress: "valid on '\(options.validSubset)'")
    }
    let m = TrainLog.metrics(
      lossSum: r.lossSum, sampleSize: r.sampleSize, correct: r.correct, languageModel: isLM)
    let value = policy.metric.value(m)
    let best = policy.metric.best(value, previous: bestMetric)
    var record: [String: Any] = m
    record["split"] = options.validSubset
    record["update"] = trainer.numUpdates
    record["epoch"] = e
    record["best"] = best
    try log.record(record)
    let keys = isLM ? ["loss", "bpc", "ppl"] : ["loss", "accuracy"]
    log.line(
      String(format: "epoch %03d | valid on '%@' subset | ", e, options.validSubset)
        + TrainLog.format(
          keys.map { ($0, m[$0]!) } + [("num_updates", Double(trainer.numUpdates))]
            + [("best_" + policy.metric.name, best)]))
    return value
  }

  /// Rank 0 writes the checkpoint of the current state under each of `names` (sharded optimizer
  /// state is first gathered onto it, so every rank takes part).
  private func save(_ names: [String]) throws {
    guard !names.isEmpty else { return }
    let moments = try trainer.optimizerState()
    guard communicator.rank == 0 else { return }
    try FileManager.default.createDirectory(
      atPath: options.saveDir, withIntermediateDirectories: true)
    let checkpoint = Checkpoint(
      modelArgs: ModelArgs.table(config), options: options, worldSize: communicator.size,
      numUpdates: trainer.numUpdates, epoch: epoch, batchInEpoch: batchInEpoch,
      bestMetric: bestMetric,
      tensors: Dictionary(
        uniqueKeysWithValues: trainer.model.stateDict.map {
          ($0.name, ($0.tensor.shape, $0.tensor.data))
        }),
      moments: moments, scaler: trainer.scaler, lrScheduleOrigin: schedule.origin,
      identity: identity)
    for name in names { try checkpoint.write(to: options.saveDir + "/" + name) }
  }
}
