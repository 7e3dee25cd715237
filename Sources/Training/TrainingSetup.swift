import Data
import Foundation
import Models

/// The part of a run's start that needs no other rank: the dataset opened read-only and checked
/// against the model, the examples, the model built, and the starting checkpoint read, checked
/// and its weights loaded. `seqboat train` builds it on every rank before MPI starts, so that a
/// missing file or a mismatch is one line and a plain exit instead of an aborted job.
public final class TrainingSetup {
  /// The options.
  public let options: TrainOptions
  /// The model's hyperparameters (batch norm made synchronised by `--sync-bn`).
  public let config: ModelConfig
  /// Training examples.
  public let train: Examples
  /// Validation examples.
  public let valid: Examples
  /// The model, with the starting checkpoint's weights when there is one.
  public let model: Model
  /// The dataset's split sizes (name, examples), for the start-up header.
  public let splitSizes: [(name: String, count: Int)]
  let resumeOptions: ResumeOptions
  let identity: RunIdentity
  let policy: CheckpointPolicy
  let validBlock: MegaLMEvalOptions.ValidBlock?
  /// The starting checkpoint, if any, and the warning its check gave.
  let source: ResumeSource?
  let sourceWarning: String?
  /// Seconds reading the starting checkpoint took.
  let loadSeconds: Double

  /// Checks and builds everything local to a rank of a run of `worldSize` ranks.
  public init(
    config: ModelConfig, options: TrainOptions, resume: ResumeOptions = ResumeOptions(),
    worldSize: Int
  ) throws {
    self.options = options
    resumeOptions = resume
    try RunChecks.batching(options, config: config, worldSize: worldSize)
    try Self.checkSaveDir(options.saveDir)
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
    splitSizes = [("train", train.count), (options.validSubset, valid.count)]
    let languageModel = config.task == .lm
    policy = CheckpointPolicy(
      options: options, metric: try BestMetric(options: options, languageModel: languageModel))
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
    model = makeModel(config, seed: options.seed)
    let started = Date()
    source = try ResumeSource.find(options: options, resume: resume)
    loadSeconds = Date().timeIntervalSince(started)
    sourceWarning = try source?.check(modelArgs: ModelArgs.table(config), identity: identity)
    if let source { try Self.loadWeights(source, into: model, policy: policy, lm: languageModel) }
  }

  /// The save folder, when it exists, must be a writable folder; otherwise its nearest existing
  /// parent must be one (rank 0 creates it at the first save).
  static func checkSaveDir(_ path: String) throws {
    let fm = FileManager.default
    var folder = URL(fileURLWithPath: path)
    var isDirectory: ObjCBool = false
    while !fm.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
      let parent = folder.deletingLastPathComponent()
      if parent.path == folder.path { return }
      folder = parent
    }
    guard isDirectory.boolValue else {
      throw TrainingError("--save-dir \(path): \(folder.path) is not a folder")
    }
    guard fm.isWritableFile(atPath: folder.path) else {
      throw TrainingError("--save-dir \(path): \(folder.path) is not writable")
    }
  }

  /// The checkpoint's weights into `model`, and its best-metric kind checked against the run's.
  private static func loadWeights(
    _ source: ResumeSource, into model: Model, policy: CheckpointPolicy, lm: Bool
  ) throws {
    let path = source.path
    let unused: [String]
    do {
      unused = try model.load(source.checkpoint.tensors)
    } catch {
      throw TrainingError("\(path): \(error)")
    }
    if let name = unused.first { throw TrainingError("\(path): /model/\(name): not in this model") }
    let reset = source.reset
    guard !reset.resetOptimizer && !reset.resetMeters else { return }
    let saved = try BestMetric(options: source.checkpoint.options, languageModel: lm)
    guard saved == policy.metric else {
      throw TrainingError(
        "\(path): its best checkpoint is by \(saved.name)\(saved.maximize ? " (maximised)" : ""),"
          + " not --best-checkpoint-metric \(policy.metric.name)"
          + (policy.metric.maximize ? " --maximize-best-checkpoint-metric" : "")
          + " (--reset-meters starts a new best)")
    }
  }
}
