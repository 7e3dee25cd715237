import Data
import Models
import Tensor

/// The examples of one split as the trainer sees them: classification examples, or the blocks of a
/// language-model stream (`--tokens-per-sample`, `--sample-break-mode`). Token rows are padded to a
/// length the caller chooses (the longest row of the global micro-batch, so that every rank pads as
/// a single process would and layers that look at the padded length decide identically).
public final class Examples {
  /// The dataset file.
  public let file: DatasetFile
  /// The split.
  public let split: DatasetSplit
  /// Language-model blocks (nil for classification); with `variant`, those of the current epoch.
  public private(set) var blocks: [Range<Int>]?
  /// The language-model size filter: what was dropped (nil for classification).
  public private(set) var sizeFilter: LMBlockFilter?
  /// Variable training blocks drawn afresh each epoch (nil: the same blocks every epoch).
  public let variant: VariantBlocks?
  /// The epoch whose blocks `blocks` holds (1 unless `variant` re-cut them).
  public private(set) var epoch = 1
  private let builder: BatchBuilder
  private let maxLength: Int
  private let limits: String

  /// The examples of split `name` of `file`; language-model files are cut into blocks of
  /// `tokensPerSample` tokens with `breakMode`, and blocks longer than `tokensPerSample` or
  /// `maxPositions` (a `complete` or `eos` block of one long line) are dropped, as fairseq's size
  /// filter does in training and, with `--skip-invalid-size-inputs-valid-test`, in evaluation.
  /// Throws naming the split when every block is dropped. With `variant` (`complete` mode only)
  /// the blocks are `variant`'s of epoch 1, filtered at `maxPositions` alone, and `reblock`
  /// re-cuts them for later epochs.
  public init(
    file: DatasetFile, split name: String, tokensPerSample: Int, breakMode: LMBreakMode,
    maxPositions: Int, pixelNormalization: [Double]? = nil, variant: VariantBlocks? = nil
  ) throws {
    self.file = file
    split = try file.split(name)
    builder = try BatchBuilder(
      file: file, pixelMean: pixelNormalization?.first, pixelStd: pixelNormalization?.last)
    self.variant = variant
    maxLength = variant == nil ? min(tokensPerSample, maxPositions) : maxPositions
    limits =
      (variant == nil ? "--tokens-per-sample \(tokensPerSample), " : "")
      + "max positions \(maxPositions)"
    guard file.inputKind == .lmTokens else { return }
    let all: [Range<Int>]
    if let variant {
      all = try variant.blocks(lineOffsets: split.lineOffsets, epoch: 1)
    } else {
      all = try LMBlocks.blocks(
        lineOffsets: split.lineOffsets, blockSize: tokensPerSample, mode: breakMode)
    }
    try keep(all, described: "--sample-break-mode \(breakMode.rawValue)")
  }

  /// Re-cuts the variable blocks for `epoch`; false (nothing done) without `variant` or when
  /// they are already cut.
  @discardableResult
  public func reblock(epoch: Int) throws -> Bool {
    guard let variant, epoch != self.epoch else { return false }
    try keep(
      try variant.blocks(lineOffsets: split.lineOffsets, epoch: epoch),
      described: "epoch \(epoch)'s variable blocks")
    self.epoch = epoch
    return true
  }

  /// Keeps the blocks of `all` that the size filter passes; throws naming the split when none do.
  private func keep(_ all: [Range<Int>], described: String) throws {
    let filter = LMBlockFilter(all, maxLength: maxLength)
    if filter.kept.isEmpty, !all.isEmpty {
      throw TrainingError(
        "split \(split.name): all \(all.count) blocks (\(described)) are longer than "
          + "\(filter.maxLength) tokens (\(limits)); nothing is left")
    }
    blocks = filter.kept
    sizeFilter = filter
  }

  /// One line saying how many blocks and tokens of the split the size filter dropped (nil when
  /// none were).
  public var droppedNote: String? {
    guard let f = sizeFilter, f.droppedBlocks > 0 else { return nil }
    return
      "split \(split.name): dropped \(f.droppedBlocks) of \(f.droppedBlocks + f.kept.count) "
      + "blocks (\(f.droppedTokens) tokens) longer than \(f.maxLength) tokens"
  }

  /// Number of examples (or blocks).
  public var count: Int { blocks?.count ?? split.count }

  /// The padded lengths (first input, second input) that hold every row of `rows`.
  public func paddedLengths(_ rows: [Int]) -> (Int, Int) {
    if let blocks { return (rows.map { blocks[$0].count }.max() ?? 0, 0) }
    guard file.inputKind == .tokens else { return (0, 0) }
    let first = rows.map { Int(split.offsets[$0 + 1] - split.offsets[$0]) }.max() ?? 0
    guard !split.offsetsB.isEmpty else { return (first, 0) }
    let second = rows.map { Int(split.offsetsB[$0 + 1] - split.offsetsB[$0]) }.max() ?? 0
    return (first, second)
  }

  /// Input positions of `rows` before padding (for words per second).
  public func tokenCount(_ rows: [Int]) -> Int {
    if let blocks { return rows.reduce(0) { $0 + blocks[$1].count } }
    if let image = file.image { return rows.count * image.height * image.width }
    if let audio = file.audio { return rows.count * audio.clipSamples }
    return rows.reduce(0) { $0 + Int(split.offsets[$1 + 1] - split.offsets[$1]) }
  }

  /// Lengths of every example in tokens (language-model blocks; what `--max-tokens` counts).
  public var lengths: [Int] { blocks?.map(\.count) ?? [] }

  /// A language-model micro-batch that adds nothing: block `row` as input with every target
  /// `<pad>` (no loss, no gradient), for a rank whose share of a batch is empty.
  public func placeholder(_ row: Int, lengths: (Int, Int)) throws -> MicroBatch {
    guard case .languageModel(let tokens, let targets, _) = try batch([row], lengths: lengths)
    else { throw TrainingError("an empty share of a batch is possible for language models only") }
    return .languageModel(
      tokens: tokens, targets: targets.map { _ in Int(DatasetFormat.padID) }, batch: 1)
  }

  /// The micro-batch of `rows`, token rows padded to `lengths` (see `paddedLengths`).
  public func batch(_ rows: [Int], lengths: (Int, Int)) throws -> MicroBatch {
    if let blocks {
      let lm = try LMBatch(split: split, blocks: blocks, rows: rows)
      return .languageModel(
        tokens: lm.input.padded(to: lengths.0).intTokens,
        targets: lm.target.padded(to: lengths.0).intTokens, batch: rows.count)
    }
    let b = try builder.batch(split, rows: rows)
    let targets = b.labels.map { Int($0) }
    switch b.input.values {
    case .reals(let values):
      return .classification(
        .values(Tensor(shape: [rows.count, b.input.length], data: values)), targets: targets)
    case .tokens:
      let first = b.input.padded(to: lengths.0).intTokens
      if let second = b.secondInput {
        return .classification(
          .tokenPair(first, second.padded(to: lengths.1).intTokens, batch: rows.count),
          targets: targets)
      }
      return .classification(.tokens(first, batch: rows.count), targets: targets)
    }
  }
}

extension SequenceBatch {
  /// The batch right-padded with `<pad>` to `length` columns (unchanged when already as long).
  func padded(to length: Int) -> SequenceBatch {
    guard case .tokens(let tokens) = values, length > self.length else { return self }
    var out = [Int32](repeating: DatasetFormat.padID, count: batchSize * length)
    for row in 0..<batchSize {
      for t in 0..<self.length { out[row * length + t] = tokens[row * self.length + t] }
    }
    return SequenceBatch(
      batchSize: batchSize, length: length, lengths: lengths, values: .tokens(out))
  }

  /// Token values as `Int`.
  var intTokens: [Int] {
    guard case .tokens(let tokens) = values else { return [] }
    return tokens.map { Int($0) }
  }
}
