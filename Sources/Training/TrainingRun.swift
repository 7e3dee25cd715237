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
  private var epoch = 1
  private var batchInEpoch = 0
  private var bestMetric: Double?
  private var lastUpdateTime = Date()
  private var intervalStart = (time: Date(), updates: 0, tokens: 0)

  /// Prepares a run: checks, model, optimizer, schedule, and the resumed state. The stop
  /// signals' handlers are installed first, so a request during start-up is kept for the first
  /// update boundary.
  public init(config: ModelConfig, options: TrainOptions, communicator: Communicator) throws {
    StopSignal.install()
    self.options = options
    self.communicator = communicator
    try RunChecks.batch(
      globalBatch: options.batchSize, updateFreq: options.updateFreq,
      worldSize: communicator.size)
    let file = try DatasetFile.open(options.data)
    var config = config
    if options.syncBN, config.normType == .batchnorm { config.normType = .syncbatchnorm }
    self.config = config
    try RunChecks.model(config, fits: file)
    try RunChecks.fairseqTask(options, config: config, file: file)
    if options.sentenceAvg, config.task == .lm {
      throw TrainingError("--sentence-avg: language models average over target tokens")
    }
    try RunChecks.chunking(config, file: file)
    guard let mode = LMBreakMode(rawValue: options.sampleBreakMode) else {
      throw TrainingError(
        "--sample-break-mode '\(options.sampleBreakMode)' is not one of "
          + LMBreakMode.allCases.map(\.rawValue).joined(separator: ", "))
    }
    train = try Examples(
      file: file, split: "train", tokensPerSample: options.tokensPerSample, breakMode: mode,
      maxPositions: config.maxPositions, pixelNormalization: options.pixelNormalization)
    valid = try Examples(
      file: file, split: options.validSubset, tokensPerSample: options.tokensPerSample,
      breakMode: mode, maxPositions: config.maxPositions,
      pixelNormalization: options.pixelNormalization)
    guard train.count >= options.batchSize else {
      throw TrainingError(
        "--batch-size \(options.batchSize) exceeds the \(train.count) training examples of "
          + "\(options.data)")
    }
    let sync = config.normType == .syncbatchnorm
    let model = Model(
      config, seed: options.seed, collective: sync ? communicator : SingleProcess())
    var scaler: LossScaler?
    if options.fp16 {
      let window =
        options.fp16ScaleWindow > 0
        ? options.fp16ScaleWindow
        : LossScaler.defaultWindow(ranks: communicator.size, updateFreq: options.updateFreq)
      scaler = LossScaler(
        initScale: options.fp16InitScale, window: window, minScale: options.minLossScale)
    }
    trainer = try Trainer(
      model: model, communicator: communicator, optimizer: try options.makeOptimizer(),
      schedule: try options.makeSchedule(), clipNorm: options.clipNorm, scaler: scaler,
      dropoutSeed: options.seed)
    let args = try Checkpoint.json(ModelArgs.table(config))
    try communicator.verifySameSetup(
      configHash: fnv1a64(args + (try options.json())),
      parameterCount: model.module.parameterCount)
    try communicator.broadcastValues(model.module.stateDict.map(\.tensor))
    log = try TrainLog(jsonPath: options.logFile, enabled: communicator.rank == 0)
    for examples in [train, valid] { try reportDropped(examples) }
    if communicator.rank == 0 {
      for name in Checkpoint.removeStaleTemporaries(in: options.saveDir) {
        log.warning("seqboat: removed \(options.saveDir)/\(name), left by a save that was killed")
      }
    }
    try resume()
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

  private var lastPath: String { options.saveDir + "/checkpoint_last.h5" }

  /// Resumes from `save-dir/checkpoint_last.h5` when it exists (a requeued or restarted run),
  /// else from `--restore-file` when given, else starts fresh; a save folder that holds other
  /// checkpoints but no `checkpoint_last.h5` is refused (a fresh start would overwrite
  /// `checkpoint_best.h5`), naming the newest.
  private func resume() throws {
    try Checkpoint.refuseLink(lastPath)
    let path: String
    if FileManager.default.fileExists(atPath: lastPath) {
      path = lastPath
    } else if !options.restoreFile.isEmpty {
      path = options.restoreFile
      guard FileManager.default.fileExists(atPath: path) else {
        throw TrainingError("--restore-file \(path): no such file")
      }
    } else if let newest = newestCheckpoint() {
      throw TrainingError(
        "--save-dir \(options.saveDir) holds checkpoints but no checkpoint_last.h5; resume with "
          + "--restore-file \(newest) or train into another --save-dir")
    } else {
      return
    }
    let checkpoint = try Checkpoint.read(path)
    let mine = ModelArgs.table(config)
    for key in Set(mine.keys).union(checkpoint.modelArgs.keys).sorted()
    where mine[key] != checkpoint.modelArgs[key] {
      throw TrainingError(
        "\(path): model --\(key) is \(checkpoint.modelArgs[key] ?? "absent") in the checkpoint "
          + "but \(mine[key] ?? "absent") in this run")
    }
    let unused = try trainer.model.module.load(checkpoint.tensors)
    if let name = unused.first { throw TrainingError("\(path): /model/\(name): not in this model") }
    trainer.optimizer.state = checkpoint.moments
    trainer.numUpdates = checkpoint.numUpdates
    if options.fp16, let saved = checkpoint.scaler { trainer.scaler = saved }
    epoch = checkpoint.epoch
    batchInEpoch = checkpoint.batchInEpoch
    bestMetric = checkpoint.bestMetric
    log.line(
      "loaded checkpoint \(path) (epoch \(epoch), \(checkpoint.numUpdates) updates, saved by "
        + "\(checkpoint.worldSize) ranks; now \(communicator.size))")
  }

  /// The most recently written `checkpoint*.h5` of the save folder, if any.
  private func newestCheckpoint() -> String? {
    let fm = FileManager.default
    let names = (try? fm.contentsOfDirectory(atPath: options.saveDir)) ?? []
    let paths = names.filter { $0.hasPrefix("checkpoint") && $0.hasSuffix(".h5") }
      .map { options.saveDir + "/" + $0 }
    func date(_ p: String) -> Date {
      (try? fm.attributesOfItem(atPath: p)[.modificationDate] as? Date) ?? .distantPast
    }
    return paths.max { date($0) < date($1) }
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
    let g = options.batchSize
    let batches = train.count / g
    while !done {
      let order = EpochOrder.permutation(
        count: train.count, seed: options.seed, epoch: UInt64(epoch))
      while batchInEpoch < batches && !done {
        let rows = Array(order[(batchInEpoch * g)..<((batchInEpoch + 1) * g)])
        let result = try trainer.update(
          try microBatches(rows), stopRequested: StopSignal.requested)
        batchInEpoch += 1
        try report(result, rows: rows, batches: batches)
        if !result.skipped {
          let n = trainer.numUpdates
          if options.validateIntervalUpdates > 0, n % options.validateIntervalUpdates == 0 {
            try validate()
          }
          if options.saveIntervalUpdates > 0, n % options.saveIntervalUpdates == 0 {
            try save(also: ["checkpoint_\(epoch)_\(n).h5"])
            try pruneIntervalCheckpoints()
          }
        }
        if result.stopRequested {
          try save(also: [])
          try communicator.barrier()
          log.line("stopped on request after \(trainer.numUpdates) updates; resume me")
          return .stopped
        }
      }
      if batchInEpoch >= batches {
        try validate()
        let finished = epoch
        epoch += 1
        batchInEpoch = 0
        try save(also: options.noEpochCheckpoints ? [] : ["checkpoint\(finished).h5"])
      } else {
        try validate()
        try save(also: [])
      }
    }
    try communicator.barrier()
    log.line(
      "done training: \(trainer.numUpdates) updates in \(String(format: "%.1f", log.wall)) s")
    return .finished
  }

  /// This rank's rows of each micro-batch of global batch `rows`, padded to the longest row of
  /// the micro-batch over all ranks.
  private func microBatches(_ rows: [Int]) throws -> [MicroBatch] {
    let k = options.updateFreq
    let w = communicator.size
    let micro = rows.count / k
    let share = micro / w
    return try (0..<k).map { j in
      let all = Array(rows[(j * micro)..<((j + 1) * micro)])
      let mine = Array(all[(communicator.rank * share)..<((communicator.rank + 1) * share)])
      return try train.batch(mine, lengths: train.paddedLengths(all))
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

  /// Evaluates the valid split. Batch-norm running statistics (updated by each rank on its own
  /// rows unless `--sync-bn`) are first copied from rank 0, as DDP's buffer broadcast does, so
  /// validation uses the statistics the checkpoint holds, on every rank.
  private func validate() throws {
    let batch =
      options.batchSizeValid > 0 ? options.batchSizeValid : options.batchSize / communicator.size
    trainer.compression.global = false
    defer { trainer.compression.global = true }
    let buffers = trainer.model.module.buffers.map(\.tensor)
    if !buffers.isEmpty { try communicator.broadcastValues(buffers) }
    let r = try trainer.asHalfModel {
      try Evaluator.evaluate(
        trainer.model, on: valid, communicator: communicator, batchSize: max(batch, 1),
        progress: "valid on '\(options.validSubset)'")
    }
    let m = TrainLog.metrics(
      lossSum: r.lossSum, sampleSize: r.sampleSize, correct: r.correct, languageModel: isLM)
    let metric = isLM ? m["loss"]! : m["accuracy"]!
    let improved = bestMetric.map { isLM ? metric < $0 : metric > $0 } ?? true
    if improved { bestMetric = metric }
    var record: [String: Any] = m
    record["split"] = options.validSubset
    record["update"] = trainer.numUpdates
    record["epoch"] = epoch
    record["best"] = bestMetric!
    try log.record(record)
    let keys = isLM ? ["loss", "bpc", "ppl"] : ["loss", "accuracy"]
    log.line(
      String(format: "epoch %03d | valid on '%@' subset | ", epoch, options.validSubset)
        + TrainLog.format(
          keys.map { ($0, m[$0]!) } + [("num_updates", Double(trainer.numUpdates))]
            + [("best", bestMetric!)]))
    if improved { try save(also: ["checkpoint_best.h5"], last: false) }
  }

  /// Rank 0 writes `checkpoint_last.h5` (unless `last` is false) and the named extra files.
  private func save(also extra: [String], last: Bool = true) throws {
    guard communicator.rank == 0 else { return }
    try FileManager.default.createDirectory(
      atPath: options.saveDir, withIntermediateDirectories: true)
    let checkpoint = Checkpoint(
      modelArgs: ModelArgs.table(config), options: options, worldSize: communicator.size,
      numUpdates: trainer.numUpdates, epoch: epoch, batchInEpoch: batchInEpoch,
      bestMetric: bestMetric,
      tensors: Dictionary(
        uniqueKeysWithValues: trainer.model.module.stateDict.map {
          ($0.name, ($0.tensor.shape, $0.tensor.data))
        }),
      moments: trainer.optimizer.state, scaler: trainer.scaler)
    for name in (last ? ["checkpoint_last.h5"] : []) + extra {
      try checkpoint.write(to: options.saveDir + "/" + name)
    }
  }

  /// Keeps only the newest `--keep-interval-updates` files `checkpoint_E_U.h5`.
  private func pruneIntervalCheckpoints() throws {
    guard communicator.rank == 0, options.keepIntervalUpdates >= 0 else { return }
    let names = try FileManager.default.contentsOfDirectory(atPath: options.saveDir)
    let interval = names.compactMap { name -> (Int, String)? in
      let parts = name.dropFirst("checkpoint_".count).dropLast(".h5".count).split(separator: "_")
      guard name.hasPrefix("checkpoint_"), name.hasSuffix(".h5"), parts.count == 2,
        Int(parts[0]) != nil, let updates = Int(parts[1])
      else { return nil }
      return (updates, name)
    }.sorted { $0.0 > $1.0 }
    for (_, name) in interval.dropFirst(options.keepIntervalUpdates) {
      try FileManager.default.removeItem(atPath: options.saveDir + "/" + name)
    }
  }
}
