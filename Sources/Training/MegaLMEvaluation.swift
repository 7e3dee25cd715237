import Data
import Distributed
import Layers
import Models
import Tensor

/// Mega's own language-model evaluation (`eval_mega_lm.py`, MODEL.md §5.9): the split is cut into
/// contiguous blocks of whole lines; each block is read from a fresh state in segments of
/// `testChunkSize × chunkNums` tokens (the last one shorter), with the attention chunk set to
/// `testChunkSize` and every layer's EMA state carried across segments (untruncated, §2.6).
/// Every target token is scored once. Rank r of W takes the r-th contiguous share of the blocks;
/// per-block sums are all-reduced and added in block order, so the result does not depend on W.
public enum MegaLMEvaluation {
  /// Totals over the split and the number of blocks it was cut into.
  public struct Result {
    /// Summed NLL (nats) and scored tokens.
    public var eval: EvalResult
    /// Blocks evaluated.
    public var blocks: Int
  }

  /// The blocks of whole lines of `split` for `validBlock` (fairseq's `complete` break mode with
  /// the block size ⌈T/N⌉ for `splits:N`); throws naming `--valid-block` if `splits:N` asks for
  /// more blocks than the split has lines.
  public static func blocks(of split: DatasetSplit, _ validBlock: MegaLMEvalOptions.ValidBlock)
    throws -> [Range<Int>]
  {
    let lines = split.lineOffsets.count - 1
    let total = Int(split.lineOffsets.last ?? 0)
    guard lines > 0 else {
      throw TrainingError("split \(split.name) has no lines to evaluate (line_offsets)")
    }
    let size: Int
    switch validBlock {
    case .splits(let n):
      guard n <= lines else {
        throw TrainingError(
          "--valid-block splits:\(n): more blocks than the \(lines) lines of split \(split.name)")
      }
      size = (total + n - 1) / n
    case .size(let n): size = n
    }
    return try LMBlocks.blocks(lineOffsets: split.lineOffsets, blockSize: size, mode: .complete)
  }

  /// The stream reading `model` in segments of `options`; throws naming `--mega-eval` unless
  /// the model can carry its state across segments (Mega language models), and naming
  /// `--test-chunk-size` when the chunk does not suit it.
  public static func stream(_ model: Model, options: MegaLMEvalOptions) throws -> SegmentStream {
    let stream: SegmentStream?
    do {
      stream = try model.segmentStream(chunkSize: options.testChunkSize)
    } catch let error as ModelConfigError {
      throw TrainingError("--test-chunk-size \(options.testChunkSize): \(error)")
    }
    guard let stream else {
      throw TrainingError(
        "--mega-eval applies to Mega language models only; '\(model.config.arch)' is evaluated"
          + " with --context-window (fairseq-eval-lm)")
    }
    return stream
  }

  /// Evaluates the model of `stream` on `split` with `options`, without gradients and in eval
  /// mode, over the ranks of `communicator`.
  public static func evaluate(
    _ stream: SegmentStream, split: DatasetSplit, options: MegaLMEvalOptions,
    communicator: Communicator
  ) throws -> Result {
    let blocks = try blocks(of: split, options.validBlock)
    let share = try BatchSchedule(
      count: blocks.count, worldSize: communicator.size, rank: communicator.rank
    ).evaluationRange
    // [loss of block 0, tokens of block 0, loss of block 1, …]; zeros for other ranks' blocks.
    var sums = [Double](repeating: 0, count: 2 * blocks.count)
    let segment = options.segmentLength
    let meter = ProgressMeter(
      "eval \(split.name)", total: share.count, unit: "blocks", workUnit: "tokens",
      enabled: communicator.rank == 0)
    try GradMode.withoutGrad {
      for index in share {
        let batch = try LMBatch(split: split, blocks: blocks, rows: [index])
        guard case .tokens(let input) = batch.input.values,
          case .tokens(let target) = batch.target.values
        else { throw TrainingError("split \(split.name): block \(index) holds no tokens") }
        stream.reset()
        for start in stride(from: 0, to: input.count, by: segment) {
          let end = min(start + segment, input.count)
          let (loss, count) = try stream.loss(
            tokens: input[start..<end].map(Int.init), targets: target[start..<end].map(Int.init),
            batch: 1, .evaluation())
          sums[2 * index] += Double(loss.item)
          sums[2 * index + 1] += Double(count)
        }
        meter.advance(work: sums[2 * index + 1])
      }
    }
    meter.finish()
    try communicator.allReduce(&sums)
    var result = EvalResult(lossSum: 0, sampleSize: 0, correct: 0)
    for b in 0..<blocks.count {
      result.lossSum += sums[2 * b]
      result.sampleSize += sums[2 * b + 1]
    }
    return Result(eval: result, blocks: blocks.count)
  }
}
