import Data
import Models

/// The checks `seqboat train` makes before building anything: a config that does not fit the
/// dataset or the job is refused with one line naming both values.
public enum RunChecks {
  /// The global batch splits into `updateFreq` micro-batches of equal shares for `worldSize` ranks.
  public static func batch(globalBatch: Int, updateFreq: Int, worldSize: Int) throws {
    guard globalBatch > 0, updateFreq > 0 else {
      throw TrainingError(
        "--batch-size \(globalBatch) and --update-freq \(updateFreq) must be positive")
    }
    guard globalBatch % (updateFreq * worldSize) == 0 else {
      throw TrainingError(
        "--batch-size \(globalBatch) (global) is not divisible by --update-freq \(updateFreq) "
          + "x \(worldSize) ranks")
    }
  }

  /// How batches are formed fits the model and the job: `--max-tokens` batches language models
  /// only (any share a rank gets may be empty there, which a classifier's loss cannot express);
  /// `--batch-size` batches split evenly and are a multiple of `--required-batch-size-multiple`
  /// unless fewer (fairseq would cut them otherwise); `--valid-block` is a language-model option.
  public static func batching(_ o: TrainOptions, config: ModelConfig, worldSize: Int) throws {
    if let maxTokens = o.maxTokens {
      guard config.task == .lm else {
        throw TrainingError(
          "--max-tokens \(maxTokens): token batches are implemented for language models; "
            + "give --batch-size")
      }
    } else {
      try batch(globalBatch: o.batchSize, updateFreq: o.updateFreq, worldSize: worldSize)
      let m = o.requiredBatchSizeMultiple ?? 1
      let kept = max(m * (o.batchSize / m), o.batchSize % m)
      if kept != o.batchSize {
        throw TrainingError(
          "--required-batch-size-multiple \(m): fairseq would cut --batch-size \(o.batchSize) "
            + "to batches of \(kept); give a multiple")
      }
    }
    if let block = o.validBlock, config.task != .lm {
      throw TrainingError("--valid-block \(block): a language-model option")
    }
    if let block = o.validBlock, config.family == .mega, config.chunkSize <= 0 {
      throw TrainingError(
        "--valid-block \(block): validation reads one --decoder-chunk-size chunk at a time, and "
          + "the chunk is \(config.chunkSize)")
    }
  }

  /// The model reads what the dataset holds: task, input kind, vocabulary, classes, lengths.
  public static func model(_ config: ModelConfig, fits file: DatasetFile) throws {
    let path = file.path
    let lm = file.inputKind == .lmTokens
    guard (config.task == .lm) == lm else {
      throw TrainingError(
        "\(path): task \(file.task) (input_kind \(file.inputKind.rawValue)) does not match "
          + "model task \(config.task.rawValue) of --arch \(config.arch)")
    }
    let tokens = file.inputKind == .tokens || lm
    guard (config.input == .tokens) == tokens else {
      throw TrainingError(
        "\(path): input_kind \(file.inputKind.rawValue) does not match model input "
          + "\(config.input.rawValue) of --arch \(config.arch)")
    }
    if tokens, file.vocabSize > config.vocabSize {
      throw TrainingError(
        "\(path): vocab_size \(file.vocabSize) does not fit --vocab-size \(config.vocabSize) "
          + "of the model")
    }
    if !lm, file.numClasses != config.classes {
      throw TrainingError(
        "\(path): num_classes \(file.numClasses) does not match --sentence-class-num "
          + "\(config.classes) of the model")
    }
    let pairs = !(try file.split("train")).offsetsB.isEmpty
    if !lm, pairs != config.twoInputs {
      throw TrainingError(
        "\(path): \(pairs ? "two documents" : "one document") per example, but --two-inputs "
          + "is \(config.twoInputs)")
    }
    if !lm, file.maxLength > config.maxPositions {
      throw TrainingError(
        "\(path): max_length \(file.maxLength) exceeds --max-positions \(config.maxPositions)")
    }
  }

  /// fairseq's `--task`, `--criterion` and `--pixel-normalization`, when given, agree with the
  /// dataset and the model: `lra-text` reads ListOps/Text/Retrieval, `lra-image` the pixel tasks,
  /// `speech_commands` SC10, `language_modeling` enwik8/WikiText-103; the criterion is
  /// `lra_cross_entropy` for classifiers, `adaptive_loss` for adaptive-softmax models and
  /// `cross_entropy` for other language models.
  public static func fairseqTask(_ o: TrainOptions, config: ModelConfig, file: DatasetFile) throws {
    let tasks = [
      "lra-text": ["listops", "text", "retrieval"], "lra-image": ["image", "pathfinder", "pathx"],
      "speech_commands": ["sc10"], "language_modeling": ["enwik8", "wikitext103"],
    ]
    if let task = o.task {
      guard let reads = tasks[task] else {
        throw TrainingError(
          "--task '\(task)' is not one of \(tasks.keys.sorted().joined(separator: ", "))")
      }
      guard reads.contains(file.task) else {
        throw TrainingError("--task \(task) does not read \(file.path) (task \(file.task))")
      }
    }
    if let criterion = o.criterion {
      let loss =
        config.task != .lm
        ? "lra_cross_entropy" : config.adaptiveCutoffs == nil ? "cross_entropy" : "adaptive_loss"
      guard criterion == loss else {
        throw TrainingError(
          "--criterion \(criterion): this model (--arch \(config.arch)) trains with \(loss)")
      }
    }
    if o.pixelNormalization != nil, file.image == nil {
      throw TrainingError("--pixel-normalization: \(file.path) holds no pixels")
    }
  }

  /// Chunk and window sizes divide what they must: a Mega chunk shorter than a fixed-length
  /// (pixel or audio) input must divide it.
  public static func chunking(_ config: ModelConfig, file: DatasetFile) throws {
    let fixed = file.image.map { $0.height * $0.width } ?? file.audio?.clipSamples
    let c = config.chunkSize
    if config.family == .mega, let length = fixed, c > 0, c < length, length % c != 0 {
      throw TrainingError(
        "--chunk-size \(c) does not divide the input length \(length) of \(file.path)")
    }
  }
}
