import Data
import Models

/// The global batches of a training epoch and how they are shared: `--batch-size` batches sliced
/// from the epoch's permutation (the last partial one dropped), or `--max-tokens` batches
/// (`TokenBatches`); each global batch is cut into `--update-freq` micro-batches and each of
/// those among the ranks, in contiguous shares whose sizes differ by at most one row, so the
/// summed gradient is the same for any number of ranks.
public enum EpochPlan {
  /// The global batches of `epoch` (1-based) of `examples` under `options`.
  public static func batches(_ examples: Examples, options: TrainOptions, epoch: Int) throws
    -> [[Int]]
  {
    if let maxTokens = options.maxTokens {
      let batching = try TokenBatches(
        maxTokens: maxTokens, maxSentences: options.batchSize > 0 ? options.batchSize : nil,
        multiple: options.requiredBatchSizeMultiple ?? 8)
      return try batching.batches(
        lengths: examples.lengths, seed: options.seed, epoch: UInt64(epoch))
    }
    let g = options.batchSize
    let order = EpochOrder.permutation(
      count: examples.count, seed: options.seed, epoch: UInt64(epoch))
    return (0..<(examples.count / g)).map { Array(order[($0 * g)..<(($0 + 1) * g)]) }
  }

  /// Part `part` of `parts` contiguous shares of `rows`.
  public static func share(_ rows: [Int], part: Int, of parts: Int) -> [Int] {
    Array(rows[(part * rows.count / parts)..<((part + 1) * rows.count / parts)])
  }

  /// Rows per evaluation batch on each rank: `--batch-size-valid`, else the training rows per
  /// rank, or with `--max-tokens` as many of the longest blocks of `valid` as its share holds.
  public static func validationRows(_ valid: Examples, options: TrainOptions, ranks: Int) -> Int {
    if options.batchSizeValid > 0 { return options.batchSizeValid }
    if let maxTokens = options.maxTokens {
      return max(maxTokens / ranks / max(valid.lengths.max() ?? 1, 1), 1)
    }
    return max(options.batchSize / ranks, 1)
  }

  /// The variable training blocks the options ask for (nil when `--variant-block-multiple-max`
  /// is 1): multiples of the decoder's chunk for Mega language models, of `--tokens-per-sample`
  /// for SeqBoat ones, as the reference's task does; throws naming the flag for a classifier, a
  /// break mode other than `complete` (where the reference ignores them) or a Mega model without
  /// chunks.
  public static func variantBlocks(_ options: TrainOptions, config: ModelConfig) throws
    -> VariantBlocks?
  {
    let low = options.variantBlockMultipleMin ?? 1
    let high = options.variantBlockMultipleMax ?? 1
    guard low != 1 || high != 1 else { return nil }
    let flag = "--variant-block-multiple-min \(low) --variant-block-multiple-max \(high)"
    guard config.task == .lm else {
      throw TrainingError("\(flag): variable blocks are a language-model option")
    }
    guard high > 1 else {
      throw TrainingError("\(flag): only max > 1 is implemented (min <= max)")
    }
    guard options.sampleBreakMode == LMBreakMode.complete.rawValue else {
      throw TrainingError(
        "\(flag): the reference varies blocks in --sample-break-mode complete only, not "
          + options.sampleBreakMode)
    }
    let base = config.family == .mega ? config.chunkSize : options.tokensPerSample
    guard base > 0 else {
      throw TrainingError(
        "\(flag): a Mega model's blocks are multiples of --decoder-chunk-size,"
          + " which is \(base)")
    }
    do {
      return try VariantBlocks(base: base, minMultiple: low, maxMultiple: high, seed: options.seed)
    } catch let error as DataError {
      throw TrainingError(error.description)
    }
  }
}
