import Data
import Distributed
import Foundation
import Layers
import Models
import Tensor

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
  private let board: TensorBoardLog?
  private let identity: RunIdentity
  private let schedule: RestartableSchedule
  private var epoch = 1
  private var batchInEpoch = 0
  private var bestMetric: Double?
  private let policy: CheckpointPolicy
  private var earlyStopping: EarlyStopping
  private let validBlock: MegaLMEvalOptions.ValidBlock?
  private var lastUpdateTime = Date()
  private var intervalMeters = TrainMeters()
  private var epochMeters = TrainMeters()
  private var wallBase = 0.0
  private var lastLR = 0.0

  /// Starts a run from its rank-local `setup`: optimizer, schedule and loss scaler, the resumed
  /// state (what of the checkpoint applies), then the collectives that check every rank runs the
  /// same configuration and copy rank 0's weights. A failure before those collectives is agreed
  /// on by every rank (`Communicator.agree`), so the job can end without `MPI_Abort`. The stop
  /// signals' handlers are installed first, so a request during start-up is kept for the first
  /// update boundary.
  public init(setup: TrainingSetup, communicator: Communicator) throws {
    StopSignal.install()
    options = setup.options
    config = setup.config
    train = setup.train
    valid = setup.valid
    identity = setup.identity
    policy = setup.policy
    validBlock = setup.validBlock
    self.communicator = communicator
    earlyStopping = EarlyStopping(patience: options.patience ?? -1)
    var parts: (Trainer, RestartableSchedule, TrainLog, TensorBoardLog?)?
    try communicator.agree { parts = try TrainingRun.parts(setup, communicator: communicator) }
    guard let parts else { throw TrainingError("start-up failed") }
    trainer = parts.0
    schedule = parts.1
    log = parts.2
    board = parts.3
    let args = try Checkpoint.json(ModelArgs.table(config))
    try communicator.agree {
      try communicator.verifySameSetup(
        configHash: fnv1a64(args + (try options.json())),
        parameterCount: setup.model.parameterCount)
    }
    try communicator.broadcastValues(setup.model.stateDict.map(\.tensor))
    for line in try TrainingHeader.lines(setup, ranks: communicator.size) { log.line(line) }
    for examples in [train, valid] { try reportDropped(examples) }
    if communicator.rank == 0 {
      for name in Checkpoint.removeStaleTemporaries(in: options.saveDir) {
        log.warning(
          "seqboat: removed \(options.saveDir)/\(name), left by a save that was killed")
      }
    }
    if let warning = setup.sourceWarning { log.warning("seqboat: warning: " + warning) }
    if let source = setup.source { try resume(from: source, seconds: setup.loadSeconds) }
  }

  /// The trainer (optimizer, schedule, loss scaler) and rank 0's logs, after the batching check
  /// at this world size: rank-local work, every rank reaching the same verdict.
  private static func parts(_ setup: TrainingSetup, communicator: Communicator) throws
    -> (Trainer, RestartableSchedule, TrainLog, TensorBoardLog?)
  {
    let options = setup.options
    try RunChecks.batching(options, config: setup.config, worldSize: communicator.size)
    var scaler: LossScaler?
    if options.fp16 {
      let window =
        options.fp16ScaleWindow > 0
        ? options.fp16ScaleWindow
        : LossScaler.defaultWindow(ranks: communicator.size, updateFreq: options.updateFreq)
      scaler = LossScaler(
        initScale: options.fp16InitScale, window: window, minScale: options.minLossScale)
    }
    let schedule = RestartableSchedule(try options.makeSchedule())
    let trainer = try Trainer(
      model: setup.model, communicator: communicator, optimizer: try options.makeOptimizer(),
      schedule: schedule, clipNorm: options.clipNorm, scaler: scaler, dropoutSeed: options.seed,
      zeroSharding: try options.shardsOptimizerState())
    let log = try TrainLog(
      jsonPath: options.logFile, enabled: communicator.rank == 0, format: options.logFormat)
    let board = try TensorBoardLog(options: options, rank: communicator.rank)
    return (trainer, schedule, log, board)
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

  /// The starting checkpoint's state (its weights are already loaded) as far as the reset flags
  /// allow.
  private func resume(from source: ResumeSource, seconds: Double) throws {
    let (path, checkpoint, reset) = (source.path, source.checkpoint, source.reset)
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
      wallBase = checkpoint.wall ?? 0
    }
    let resets = source.finetune ? ["weights only"] : reset.givenResets
    log.line(
      "loaded checkpoint \(path) (epoch \(checkpoint.epoch), \(checkpoint.numUpdates) updates, "
        + "saved by \(checkpoint.worldSize) ranks; now \(communicator.size); "
        + "\(CheckpointSize.text(path: path)), "
        + String(format: "reading took %.2f s)", seconds)
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
        let shares = try microBatches(rows)
        let result = try trainer.update(
          shares.map(\.batch), spans: shares.map(\.examples), stopRequested: StopSignal.requested)
        batchInEpoch += 1
        try report(result, rows: rows, batches: plan.count)
        let finished = batchInEpoch == plan.count ? epoch : nil
        if let finished {
          summarise(epoch: finished)
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
  /// the micro-batch over all ranks, and where they sit in it; an empty share is a placeholder
  /// that adds nothing (and has no place).
  private func microBatches(_ rows: [Int]) throws -> [(batch: MicroBatch, examples: ExampleSpan?)] {
    let k = options.updateFreq
    let (rank, size) = (communicator.rank, communicator.size)
    return try (0..<k).map { j in
      let all = EpochPlan.share(rows, part: j, of: k)
      let mine = EpochPlan.share(all, part: rank, of: size)
      let lengths = train.paddedLengths(all)
      if mine.isEmpty {
        return (try train.placeholder(all.first ?? rows[0], lengths: lengths), nil)
      }
      let span = ExampleSpan(first: rank * all.count / size, count: mine.count, total: all.count)
      return (try train.batch(mine, lengths: lengths), span)
    }
  }

  /// The update's record in `--log-file` (unchanged: full precision, this update's figures),
  /// the meters, and every `--log-interval` updates the interval's averages on the console.
  private func report(_ r: UpdateResult, rows: [Int], batches: Int) throws {
    let now = Date()
    let seconds = max(now.timeIntervalSince(lastUpdateTime), 1e-9)
    lastUpdateTime = now
    let tokens = train.tokenCount(rows)
    var fields = TrainLog.metrics(
      lossSum: r.lossSum, sampleSize: r.sampleSize, correct: r.correct, languageModel: isLM)
    fields["lr"] = r.lr
    fields["gnorm"] = r.gradNorm
    fields["loss_scale"] = r.lossScale
    fields["ups"] = 1 / seconds
    fields["wps"] = Double(tokens) / seconds
    fields["wall"] = wall
    var record: [String: Any] = fields
    record["update"] = trainer.numUpdates
    record["epoch"] = epoch
    record["skipped"] = r.skipped
    record["bsz"] = rows.count
    record["wpb"] = tokens
    try log.record(record)
    try board?.update(record, step: trainer.numUpdates)
    if r.skipped {
      log.warning("seqboat: warning: overflow detected, setting loss scale to \(r.lossScale)")
    }
    lastLR = r.lr
    intervalMeters.add(r, tokens: tokens, rows: rows.count, clipNorm: options.clipNorm)
    epochMeters.add(r, tokens: tokens, rows: rows.count, clipNorm: options.clipNorm)
    log.advance(epoch: epoch, batch: batchInEpoch, batches: batches)
    guard trainer.numUpdates % max(options.logInterval, 1) == 0 else { return }
    log.show(
      LogStats(
        kind: .interval(batch: batchInEpoch, batches: batches), epoch: epoch,
        update: trainer.numUpdates, figures: figures(intervalMeters, lr: r.lr, now: now)))
    intervalMeters = TrainMeters(start: now)
  }

  /// The figures of `meters` now.
  private func figures(_ meters: TrainMeters, lr: Double, now: Date = Date())
    -> [(key: String, value: Double)]
  {
    meters.figures(
      languageModel: isLM, numUpdates: trainer.numUpdates, lr: lr,
      lossScale: options.fp16 ? trainer.scaler?.scale : nil, wall: wall, now: now)
  }

  /// fairseq's end-of-epoch train summary of `finished`, then the meters start again.
  private func summarise(epoch finished: Int) {
    if !epochMeters.isEmpty {
      log.show(
        LogStats(
          kind: .epoch, epoch: finished, update: trainer.numUpdates,
          figures: figures(epochMeters, lr: lastLR)))
    }
    epochMeters = TrainMeters()
    intervalMeters = TrainMeters()
  }

  /// Seconds of training so far, across resumes (fairseq's `wall`).
  private var wall: Double { wallBase + log.wall }

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
      if let validBlock {
        let settings = MegaLMEvalOptions(
          validBlock: validBlock, testChunkSize: config.chunkSize, chunkNums: 1)
        return try MegaLMEvaluation.evaluate(
          MegaLMEvaluation.stream(trainer.model, options: settings), split: valid.split,
          options: settings, communicator: communicator
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
    try board?.validation(
      record, split: options.validSubset, metric: policy.metric.name, step: trainer.numUpdates)
    let keys = isLM ? ["loss", "ppl"] : ["loss", "accuracy"]
    log.show(
      LogStats(
        kind: .validation(split: options.validSubset), epoch: e, update: trainer.numUpdates,
        figures: keys.map { ($0, m[$0]!) } + [
          ("num_updates", Double(trainer.numUpdates)), ("best_" + policy.metric.name, best),
        ]))
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
    var checkpoint = Checkpoint(
      modelArgs: ModelArgs.table(config), options: options, worldSize: communicator.size,
      numUpdates: trainer.numUpdates, epoch: epoch, batchInEpoch: batchInEpoch,
      bestMetric: bestMetric,
      tensors: Dictionary(
        uniqueKeysWithValues: trainer.model.stateDict.map {
          ($0.name, ($0.tensor.shape, $0.tensor.data))
        }),
      moments: moments, scaler: trainer.scaler, lrScheduleOrigin: schedule.origin,
      identity: identity)
    checkpoint.wall = wall
    for name in names {
      let path = options.saveDir + "/" + name
      let started = Date()
      try checkpoint.write(to: path)
      log.line(
        "saved checkpoint \(path) (epoch \(batchInEpoch == 0 ? epoch - 1 : epoch) @ \(trainer.numUpdates) updates, "
          + "\(CheckpointSize.text(path: path)), "
          + String(format: "writing took %.2f s)", Date().timeIntervalSince(started)))
    }
  }
}
