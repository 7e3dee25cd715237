import ArgumentParser
import Distributed
import Foundation
import Models
import Training

/// `seqboat train`: data-parallel training on every rank of an `mpirun`/`srun` job (or one
/// process). Parsing only; the run lives in `Training.TrainingRun`.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a Mega or SeqBoat model (fairseq flag names; run every rank under mpirun).",
    discussion: """
      --batch-size is the GLOBAL batch (all ranks and all --update-freq micro-batches of one \
      update); fairseq's --batch-size is per GPU, so fairseq's B on R GPUs with update-freq k \
      is --batch-size B*R*k here. Model hyperparameters: the --arch preset, then the options of \
      the reference's parser for that model, under fairseq's names (store-true options take no \
      value; an option of another model's parser is refused):
      \(ModelFlags.helpText)
      A run whose --save-dir holds checkpoint_last.h5 resumes from it. \
      SIGUSR1/SIGTERM: save at the next update and exit \(StopSignal.exitCode) (resume me).
      """)

  @Option(
    name: [.customLong("arch"), .customShort("a")],
    help: "Architecture: the reference's arch function of that name.")
  var arch: String
  @Option(help: "Dataset file (seqboat-hdf5); fairseq's positional DATA also works.")
  var data: String?
  @Option(
    help: "fairseq task: lra-text, lra-image, speech_commands or language_modeling (checked).")
  var task: String?
  @Option(help: "fairseq criterion: lra_cross_entropy, cross_entropy or adaptive_loss (checked).")
  var criterion: String?
  @Option(
    parsing: .upToNextOption,
    help: "MEAN STD of the 0..1 pixel scale (default: the dataset's stored statistics).")
  var pixelNormalization: [Double] = []
  @Option(
    help: ArgumentHelp(
      "A full --max-tokens batch keeps a multiple of N rows (default 8, fairseq's); with "
        + "--batch-size, given only when fairseq would not cut the batch."))
  var requiredBatchSizeMultiple: Int?
  @Option(help: "fairseq's Speech Commands drop rate: only 0.") var scDroppedRate = 0.0
  @Option(help: "LM training blocks of at least N base blocks (see --variant-block-multiple-max).")
  var variantBlockMultipleMin: Int?
  @Option(
    help: ArgumentHelp(
      "LM training blocks of up to N base blocks (--sample-break-mode complete; base: "
        + "--decoder-chunk-size for Mega, --tokens-per-sample for SeqBoat), sizes drawn per block "
        + "and epoch from --seed exactly as the reference's numpy draws; blocks longer than the "
        + "model's positions are dropped."))
  var variantBlockMultipleMax: Int?
  @Option(
    help: ArgumentHelp(
      "Mega LM validation as the reference's: splits:N or size:N blocks of whole lines read one "
        + "--decoder-chunk-size chunk at a time with the state carried (default: the "
        + "--tokens-per-sample blocks); parsed and not read for SeqBoat LMs, as in the reference."))
  var validBlock: String?
  @Option(help: "Threads of every kernel in each rank (default: SLURM_CPUS_PER_TASK, else 1).")
  var threads: Int?
  @Option(help: "Checkpoint folder.") var saveDir = "checkpoints"
  @Option(help: "Stop after this many updates (0: no limit).") var maxUpdate = 0
  @Option(help: "Stop after this many epochs (0: no limit).") var maxEpoch = 0
  @Option(
    help: ArgumentHelp(
      "GLOBAL batch in sentences/blocks (fairseq's is per GPU; default 64, or with --max-tokens "
        + "no cap on rows)."))
  var batchSize: Int?
  @Option(
    help: ArgumentHelp(
      "GLOBAL tokens per batch (rows x longest row; language models): fairseq's per-GPU "
        + "--max-tokens M on R GPUs with --update-freq k is --max-tokens M*R*k here. Blocks are "
        + "sorted by length and packed as fairseq's batch_by_size, batches shuffled per epoch."))
  var maxTokens: Int?
  @Option(help: "Micro-batches per update.") var updateFreq = 1
  @Option(help: "Run seed (initialisation and data order).") var seed: UInt64 = 1
  @Option(help: "adam or radam.") var optimizer = "adam"
  @Option(help: "Adam betas, e.g. '(0.9, 0.98)'.") var adamBetas = "(0.9, 0.999)"
  @Option(help: "Adam epsilon.") var adamEps = 1e-8
  @Option(help: "Decoupled weight decay.") var weightDecay = 0.0
  @Option(help: "Peak learning rate.") var lr = 1e-3
  @Option(help: "linear_decay, inverse_sqrt, cosine or fixed.") var lrScheduler = "linear_decay"
  @Option(help: "Warmup updates.") var warmupUpdates = 0
  @Option(name: .customLong("warmup-init-lr"), help: "Warmup start (-1: fairseq default).")
  var warmupInitLR = -1.0
  @Option(help: "Warmup power (linear_decay).") var warmupPower = 1
  @Option(help: "linear_decay end (fairseq's default; --max-update does not set it).")
  var totalNumUpdate = 1_000_000
  @Option(help: "linear_decay final learning rate.") var endLearningRate = 0.0
  @Option(name: .customLong("min-lr"), help: "cosine minimum.") var minLR = 0.0
  @Option(help: "cosine period (-1: max-update - warmup).") var lrPeriodUpdates = -1.0
  @Option(help: "cosine period multiplier.") var tMult = 1.0
  @Option(help: "cosine shrink per cycle.") var lrShrink = 0.1
  @Option(help: "Clip gradients to this global norm (0: off).") var clipNorm = 0.0
  @Flag(help: "fp16 training (fp32 master weights, dynamic loss scale).") var fp16 = false
  @Option(
    help: "none, or os: each rank keeps the optimizer state of its 1/W slice of the parameters.")
  var zeroSharding: String?
  @Option(help: "Initial loss scale.") var fp16InitScale = 128.0
  @Option(help: "Overflow-free updates before the scale doubles (0: 2^14/(ranks*update-freq)).")
  var fp16ScaleWindow = 0
  @Option(help: "Stop when the loss scale would fall to this.") var minLossScale = 1e-4
  @Option(help: "JSON-lines log (one object per update, per evaluation, per split with drops).")
  var logFile = ""
  @Option(help: "Updates between progress lines (averages over the interval).")
  var logInterval = 100
  @Option(
    help: ArgumentHelp(
      "TensorBoard event files (rank 0): DIR/train gets each update's --log-file figures, "
        + "DIR/<valid-subset> each validation's; empty: none.", valueName: "dir"))
  var tensorboardLogdir = ""
  @Option(
    help: ArgumentHelp(
      "Console format: simple, json (fairseq's keys), tqdm (a bar; simple lines when standard "
        + "output is not a terminal) or none (default: tqdm)."))
  var logFormat: String?
  @Option(help: "Also validate every N updates (0: epoch ends only).")
  var validateIntervalUpdates = 0
  @Option(help: "Also save every N updates (0: epoch ends only).") var saveIntervalUpdates = 0
  @Option(help: "Keep the newest K interval checkpoints (-1: all).") var keepIntervalUpdates = -1
  @Flag(help: "No checkpointN.h5 at epoch ends.") var noEpochCheckpoints = false
  @Option(help: "Save at the end of every N-th epoch (default 1).") var saveInterval: Int?
  @Option(help: "Validate at the end of every N-th epoch (default 1).") var validateInterval: Int?
  @Option(help: "Keep the newest N checkpointE.h5 (default: all).") var keepLastEpochs: Int?
  @Option(
    help: "Also save checkpoint.best_METRIC_VALUE.h5 and keep the best N (default: none).")
  var keepBestCheckpoints: Int?
  @Flag(
    help: ArgumentHelp(
      "No checkpoint_last.h5 (a stop request still writes it: it is what a requeue resumes)."))
  var noLastCheckpoints = false
  @Flag(help: "Write no checkpoint at all.") var noSave = false
  @Option(help: "Stop after N validations in a row without improvement (default: never).")
  var patience: Int?
  @Option(
    help: ArgumentHelp(
      "Metric of checkpoint_best.h5 and --patience: loss or accuracy (classifiers), loss, "
        + "nll_loss or ppl (LMs), rounded as fairseq logs it (default: accuracy maximised for "
        + "classifiers, loss for LMs; fairseq's is loss)."))
  var bestCheckpointMetric: String?
  @Flag(help: "Larger --best-checkpoint-metric is better.")
  var maximizeBestCheckpointMetric = false
  @Option(help: "Start from this checkpoint when save-dir has no checkpoint_last.h5.")
  var restoreFile = ""
  @Flag(
    help: ArgumentHelp(
      "Do not load the optimizer's moments and steps, the update count, the loss scaler or the "
        + "best metric (also needed to change --optimizer or --fp16). Applies to every load."))
  var resetOptimizer = false
  @Flag(help: "Start the learning-rate schedule again at the loaded update. Applies to every load.")
  var resetLrScheduler = false
  @Flag(
    help: ArgumentHelp(
      "Start at epoch 1, first batch (also needed to change --seed, --batch-size or, with "
        + "--reset-meters, --data). Applies to every load."))
  var resetDataloader = false
  @Flag(help: "Do not load the best validation metric. Applies to every load.")
  var resetMeters = false
  @Option(
    help: ArgumentHelp(
      "Load only the weights of this checkpoint, when save-dir has no checkpoint_last.h5 (not "
        + "with --restore-file or --reset-*)."))
  var finetuneFromModel: String?
  @Flag(
    help: ArgumentHelp(
      "Synchronised batch norm (statistics over all ranks; without it each rank normalises by "
        + "its own rows and validation uses rank 0's running statistics, as DDP does)."))
  var syncBn = false
  @Option(help: "LM block length.") var tokensPerSample = 512
  @Option(
    help: ArgumentHelp(
      "LM blocks: none, complete or eos. Blocks longer than --tokens-per-sample or the model's "
        + "max positions (one long line) are dropped in every split, counted on stderr and in "
        + "--log-file."))
  var sampleBreakMode = "none"
  @Flag(
    help: "Accepted for fairseq; a no-op: over-long blocks of valid/test are always skipped.")
  var skipInvalidSizeInputsValidTest = false
  @Option(help: "Validation split.") var validSubset = "valid"
  @Option(
    name: [.customLong("batch-size-valid"), .customLong("max-sentences-valid")],
    help: "Rows per evaluation batch per rank, as fairseq's per-GPU figure (0: training rows).")
  var batchSizeValid = 0
  @Option(help: "Seconds a collective may wait before the job is aborted.")
  var collectiveTimeout = 300.0
  @Option(help: "Node-local folder: each node copies the data file there once and reads the copy.")
  var dataCache: String?
  @Flag(help: "fairseq's per-sentence loss average: always the case for classifiers here.")
  var sentenceAvg = false
  @Argument(parsing: .allUnrecognized, help: "Model options, fairseq's names (see above).")
  var modelOptions: [String] = []

  /// The options, with fairseq's positional DATA taken from the first leftover word; throws for
  /// values of fairseq options that are not implemented.
  func trainOptions() throws -> (TrainOptions, modelWords: [String]) {
    var words = modelOptions
    var dataPath = data
    if dataPath == nil, let first = words.first, !first.hasPrefix("-") {
      dataPath = first
      words.removeFirst()
    }
    guard let dataPath else { throw TrainingError("no dataset: give --data FILE") }
    if scDroppedRate != 0 {
      throw TrainingError("--sc-dropped-rate \(scDroppedRate): only 0.0 is implemented")
    }
    var o = TrainOptions()
    o.data = dataPath
    o.task = task
    o.criterion = criterion
    o.pixelNormalization = pixelNormalization.isEmpty ? nil : pixelNormalization
    o.saveDir = saveDir
    o.maxUpdate = maxUpdate
    o.maxEpoch = maxEpoch
    o.batchSize = batchSize ?? (maxTokens == nil ? 64 : 0)
    o.maxTokens = maxTokens
    o.requiredBatchSizeMultiple = requiredBatchSizeMultiple
    o.variantBlockMultipleMin = variantBlockMultipleMin
    o.variantBlockMultipleMax = variantBlockMultipleMax
    o.validBlock = validBlock
    o.saveInterval = saveInterval
    o.validateInterval = validateInterval
    o.keepLastEpochs = keepLastEpochs
    o.keepBestCheckpoints = keepBestCheckpoints
    o.noLastCheckpoints = noLastCheckpoints ? true : nil
    o.noSave = noSave ? true : nil
    o.patience = patience
    o.bestCheckpointMetric = bestCheckpointMetric
    o.maximizeBestCheckpointMetric = maximizeBestCheckpointMetric ? true : nil
    o.updateFreq = updateFreq
    o.seed = seed
    o.optimizer = optimizer
    o.adamBetas = adamBetas
    o.adamEps = adamEps
    o.weightDecay = weightDecay
    o.lr = lr
    o.lrScheduler = lrScheduler
    o.warmupUpdates = warmupUpdates
    o.warmupInitLR = warmupInitLR
    o.warmupPower = warmupPower
    o.totalNumUpdate = totalNumUpdate
    o.endLearningRate = endLearningRate
    o.minLR = minLR
    o.lrPeriodUpdates = lrPeriodUpdates
    o.tMult = tMult
    o.lrShrink = lrShrink
    o.clipNorm = clipNorm
    o.fp16 = fp16
    o.zeroSharding = zeroSharding
    o.fp16InitScale = fp16InitScale
    o.fp16ScaleWindow = fp16ScaleWindow
    o.minLossScale = minLossScale
    o.logFile = logFile
    o.logInterval = logInterval
    o.tensorboardLogdir = tensorboardLogdir.isEmpty ? nil : tensorboardLogdir
    o.logFormat = logFormat
    o.validateIntervalUpdates = validateIntervalUpdates
    o.saveIntervalUpdates = saveIntervalUpdates
    o.keepIntervalUpdates = keepIntervalUpdates
    o.noEpochCheckpoints = noEpochCheckpoints
    o.restoreFile = restoreFile
    o.syncBN = syncBn
    o.tokensPerSample = tokensPerSample
    o.sampleBreakMode = sampleBreakMode
    o.validSubset = validSubset
    o.batchSizeValid = batchSizeValid
    o.sentenceAvg = sentenceAvg
    return (o, words)
  }

  /// fairseq's checkpoint-loading flags, checked together with `--restore-file`.
  func resumeOptions() throws -> ResumeOptions {
    var r = ResumeOptions()
    r.resetOptimizer = resetOptimizer
    r.resetLRScheduler = resetLrScheduler
    r.resetDataloader = resetDataloader
    r.resetMeters = resetMeters
    r.finetuneFromModel = finetuneFromModel
    try r.validate(restoreFile: restoreFile)
    return r
  }

  /// Every option parsed and checked, and every rank-local part of the run built (dataset opened
  /// and checked, model built, starting checkpoint read), before MPI starts: a bad one is one
  /// line (from the first rank of the launcher only) and exit status 1 on every rank, without
  /// MPI_Abort's banner. A failure after MPI starts that every rank sees at a check point ends
  /// through MPI_Finalize with one line and status 1; MPI_Abort remains for the rest.
  func run() throws {
    StopSignal.install()  // first: a SIGUSR1/SIGTERM during start-up is kept, not fatal
    let setup: TrainingSetup
    let config: ModelConfig
    let resume: ResumeOptions
    let threadCount: Int
    do {
      threadCount = try ThreadCount.resolve(
        threads, environment: ProcessInfo.processInfo.environment)
      let (o, words) = try trainOptions()
      try o.validate()
      guard collectiveTimeout.isFinite, collectiveTimeout > 0 else {
        throw TrainingError("--collective-timeout \(collectiveTimeout) must be finite and > 0")
      }
      resume = try resumeOptions()
      config = try ModelArgs.config(
        arch: arch,
        values: ModelFlags.entries(
          arch: arch, words: words, otherNames: OptionSpelling.longNames(Self.self)))
      try o.checkTask(languageModel: config.task == .lm)
      _ = try EpochPlan.variantBlocks(o, config: config)
      _ = try BestMetric(options: o, languageModel: config.task == .lm)
      for note in o.notes() where LauncherRank.isFirst {
        fputs("seqboat: train: \(note)\n", stderr)
      }
      setup = try TrainingSetup(
        config: config, options: o, resume: resume, worldSize: LauncherRank.worldSize)
    } catch {
      if LauncherRank.isFirst { fputs("seqboat: train: \(error)\n", stderr) }
      throw ExitCode(1)
    }
    let comm = try Communicator.world(collectiveTimeout: collectiveTimeout)
    let outcome: TrainingOutcome
    do {
      var runSetup = setup
      if let dataCache {
        var cached = setup.options
        cached.data = try DataCache.localCopy(of: cached.data, in: dataCache, communicator: comm)
        runSetup = try TrainingSetup(
          config: config, options: cached, resume: resume, worldSize: comm.size)
      }
      let finalSetup = runSetup
      outcome = try ThreadCount.run(threads: threadCount) {
        try TrainingRun(setup: finalSetup, communicator: comm).run()
      }
    } catch let failure as AgreedFailure {
      if failure.reports { fputs("seqboat: train: \(failure)\n", stderr) }
      try comm.finalize()
      throw ExitCode(1)
    } catch {
      comm.abort("train", error)
    }
    try comm.finalize()
    if outcome == .stopped { Foundation.exit(StopSignal.exitCode) }
  }
}
