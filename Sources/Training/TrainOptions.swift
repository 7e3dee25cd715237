import Foundation
import Optim

/// Everything `seqboat train` takes besides the model's hyperparameters, under fairseq's flag
/// names (in the doc comments). Stored as JSON in every checkpoint.
public struct TrainOptions: Codable, Equatable {
  /// `--data`: the dataset file.
  public var data = ""
  /// `--save-dir`.
  public var saveDir = "checkpoints"
  /// `--max-update` (0: no limit).
  public var maxUpdate = 0
  /// `--max-epoch` (0: no limit).
  public var maxEpoch = 0
  /// `--batch-size`: the GLOBAL batch, over all ranks and micro-batches of one update.
  public var batchSize = 64
  /// `--update-freq`: micro-batches per update.
  public var updateFreq = 1
  /// `--seed`.
  public var seed: UInt64 = 1
  /// `--optimizer`: adam or radam.
  public var optimizer = "adam"
  /// `--adam-betas`.
  public var adamBetas = "(0.9, 0.999)"
  /// `--adam-eps`.
  public var adamEps = 1e-8
  /// `--weight-decay`.
  public var weightDecay = 0.0
  /// `--lr`: the peak learning rate.
  public var lr = 1e-3
  /// `--lr-scheduler`: linear_decay, inverse_sqrt, cosine or fixed.
  public var lrScheduler = "linear_decay"
  /// `--warmup-updates`.
  public var warmupUpdates = 0
  /// `--warmup-init-lr` (negative: fairseq's default).
  public var warmupInitLR = -1.0
  /// `--warmup-power`.
  public var warmupPower = 1
  /// `--total-num-update`: where linear_decay reaches `--end-learning-rate`; fairseq's default,
  /// independent of `--max-update` (fairseq never reads one for the other).
  public var totalNumUpdate = 1_000_000
  /// `--end-learning-rate`.
  public var endLearningRate = 0.0
  /// `--min-lr` (cosine).
  public var minLR = 0.0
  /// `--lr-period-updates` (cosine; negative: max-update − warmup).
  public var lrPeriodUpdates = -1.0
  /// `--t-mult` (cosine).
  public var tMult = 1.0
  /// `--lr-shrink` (cosine).
  public var lrShrink = 0.1
  /// `--clip-norm` (0: none).
  public var clipNorm = 0.0
  /// `--fp16`.
  public var fp16 = false
  /// `--fp16-init-scale`.
  public var fp16InitScale = 128.0
  /// `--fp16-scale-window` (0: 2^14 / (ranks × update-freq)).
  public var fp16ScaleWindow = 0
  /// `--min-loss-scale`.
  public var minLossScale = 1e-4
  /// `--log-file`: JSON lines (empty: none).
  public var logFile = ""
  /// `--log-interval`: updates between progress lines.
  public var logInterval = 100
  /// `--log-format`: the console's format, simple, json, tqdm or none (nil: tqdm on a terminal,
  /// else simple, as fairseq's default).
  public var logFormat: String?
  /// `--validate-interval-updates` (0: only at epoch ends).
  public var validateIntervalUpdates = 0
  /// `--save-interval-updates` (0: only at epoch ends).
  public var saveIntervalUpdates = 0
  /// `--keep-interval-updates` (negative: keep all).
  public var keepIntervalUpdates = -1
  /// `--no-epoch-checkpoints`.
  public var noEpochCheckpoints = false
  /// `--restore-file`: the starting point when `save-dir/checkpoint_last.h5` does not exist yet
  /// (a run that has saved resumes from its own last checkpoint, also after a requeue).
  public var restoreFile = ""
  /// `--sync-bn`.
  public var syncBN = false
  /// `--tokens-per-sample` (language models).
  public var tokensPerSample = 512
  /// `--sample-break-mode` (language models): none, complete or eos.
  public var sampleBreakMode = "none"
  /// `--valid-subset`.
  public var validSubset = "valid"
  /// `--batch-size-valid`: rows per evaluation batch on each rank (0: the training rows per rank).
  public var batchSizeValid = 0
  /// `--sentence-avg`: fairseq's per-sentence average, what classifiers always use here (MODEL.md
  /// §5.8); refused for language models, which average over target tokens.
  public var sentenceAvg = false

  /// fairseq's `--task` (nil: not given): checked against the dataset's task.
  public var task: String? = nil
  /// fairseq's `--criterion` (nil: not given): checked against the model's loss.
  public var criterion: String? = nil
  /// fairseq's `--pixel-normalization MEAN STD` (nil: the dataset's stored statistics).
  public var pixelNormalization: [Double]? = nil

  // fairseq options added after the first checkpoints: optional, so that older `train_options`
  // still decode; nil is fairseq's default unless the doc comment says otherwise.

  /// `--max-tokens`: GLOBAL tokens per batch (rows × longest row; nil: `--batch-size` batches).
  /// With it, `batchSize` is the cap on rows (0: none).
  public var maxTokens: Int? = nil
  /// `--required-batch-size-multiple` (nil: fairseq's 8 with `--max-tokens`, 1 otherwise).
  public var requiredBatchSizeMultiple: Int? = nil
  /// `--variant-block-multiple-min` (nil: 1).
  public var variantBlockMultipleMin: Int? = nil
  /// `--variant-block-multiple-max` (nil: 1, fixed blocks).
  public var variantBlockMultipleMax: Int? = nil
  /// `--valid-block` (Mega language models; nil: validate on the `--tokens-per-sample` blocks).
  public var validBlock: String? = nil
  /// `--save-interval`: save at the end of every N-th epoch (nil: 1).
  public var saveInterval: Int? = nil
  /// `--validate-interval`: validate at the end of every N-th epoch (nil: 1).
  public var validateInterval: Int? = nil
  /// `--keep-last-epochs`: keep the newest N `checkpointE.h5` (nil: all).
  public var keepLastEpochs: Int? = nil
  /// `--keep-best-checkpoints`: keep the best N `checkpoint.best_METRIC_VALUE.h5` (nil: none).
  public var keepBestCheckpoints: Int? = nil
  /// `--no-last-checkpoints`.
  public var noLastCheckpoints: Bool? = nil
  /// `--no-save`.
  public var noSave: Bool? = nil
  /// `--patience`: stop after N validations without improvement (nil: never).
  public var patience: Int? = nil
  /// `--best-checkpoint-metric` (nil: accuracy for classifiers, loss for language models).
  public var bestCheckpointMetric: String? = nil
  /// `--maximize-best-checkpoint-metric`.
  public var maximizeBestCheckpointMetric: Bool? = nil
  /// `--tensorboard-logdir`: TensorBoard event files under this folder (nil or empty: none).
  public var tensorboardLogdir: String? = nil
  /// `--zero-sharding`: none, or os (each rank keeps the optimizer state of its slice of the
  /// parameters only); nil: none.
  public var zeroSharding: String? = nil

  /// Default options.
  public init() {}

  /// The optimizer these options name (Optim's fairseq factory).
  public func makeOptimizer() throws -> Optimizer {
    try Optim.makeOptimizer(
      optimizer, betas: try parseAdamBetas(adamBetas), eps: adamEps, weightDecay: weightDecay)
  }

  /// fairseq's `--zero-sharding` values offered here.
  public static let zeroShardingNames = ["none", "os"]

  /// Whether `--zero-sharding` asks for sharded optimizer state; throws naming an unknown value.
  public func shardsOptimizerState() throws -> Bool {
    let value = zeroSharding ?? "none"
    guard TrainOptions.zeroShardingNames.contains(value) else {
      throw TrainingError(
        "--zero-sharding '\(value)' is not one of "
          + TrainOptions.zeroShardingNames.joined(separator: ", "))
    }
    return value == "os"
  }

  /// The learning-rate schedule these options name (Optim's fairseq factory).
  public func makeSchedule() throws -> LRSchedule {
    var o = LRScheduleOptions(lr: lr)
    o.warmupUpdates = warmupUpdates
    o.warmupInitLR = warmupInitLR < 0 ? nil : warmupInitLR
    o.warmupPower = warmupPower
    o.totalNumUpdate = totalNumUpdate
    o.endLearningRate = endLearningRate
    o.minLR = minLR
    o.lrPeriodUpdates = lrPeriodUpdates > 0 ? lrPeriodUpdates : nil
    o.tMult = tMult
    o.lrShrink = lrShrink
    o.maxUpdate = maxUpdate
    return try makeLRSchedule(lrScheduler, o)
  }

  /// The options as one line of JSON (sorted keys).
  public func json() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }

  /// Options read back from `json()`.
  public static func decode(_ text: String) throws -> TrainOptions {
    try JSONDecoder().decode(TrainOptions.self, from: Data(text.utf8))
  }
}
