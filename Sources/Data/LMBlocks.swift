/// How a language-model stream is cut into samples (fairseq's `--sample-break-mode`).
public enum LMBreakMode: String, CaseIterable, Sendable {
  /// Whole lines, packed while the block stays within the block size; a longer line is a block
  /// of its own.
  case complete
  /// Consecutive blocks of exactly the block size, the last one shorter.
  case none
  /// One line per block, whatever its length.
  case eos
}

/// Token ranges of a language-model split forming its samples; every rank computes them
/// identically from `line_offsets` (DATASETS.md 2.5).
public enum LMBlocks {
  /// The blocks of a stream whose lines start at `lineOffsets` (M+1 entries ending at T).
  public static func blocks(lineOffsets: [Int64], blockSize: Int, mode: LMBreakMode)
    throws -> [Range<Int>]
  {
    guard blockSize > 0 else { throw DataError("block size \(blockSize) must be > 0") }
    let total = Int(lineOffsets.last ?? 0)
    switch mode {
    case .none:
      return stride(from: 0, to: total, by: blockSize).map { $0..<min($0 + blockSize, total) }
    case .complete:
      return try complete(lineOffsets: lineOffsets) { _ in blockSize }
    case .eos:
      return zip(lineOffsets, lineOffsets.dropFirst()).map { Int($0)..<Int($1) }
    }
  }

  /// `complete` blocks whose limits vary: block `k` packs whole lines while it stays within
  /// `blockSize(k)` tokens (a longer line is a block of its own), as fairseq's slice indices do
  /// with a list of block sizes, consulted once per block (the last block's is never read).
  public static func complete(lineOffsets: [Int64], blockSize: (Int) throws -> Int) throws
    -> [Range<Int>]
  {
    var blocks: [Range<Int>] = []
    var start = 0
    var end = 0
    var limit = try blockSize(0)
    for line in zip(lineOffsets, lineOffsets.dropFirst()) {
      let size = Int(line.1 - line.0)
      if end - start + size <= limit || end == start {
        end += size
      } else {
        blocks.append(start..<end)
        limit = try blockSize(blocks.count)
        start = end
        end += size
      }
    }
    if end > start { blocks.append(start..<end) }
    return blocks
  }
}

/// The blocks of a split that a model can read, after fairseq's size filter (`filter_by_size`):
/// blocks longer than `maxLength` tokens are dropped and counted, never passed to the model.
public struct LMBlockFilter: Equatable, Sendable {
  /// The blocks no longer than `maxLength`, in their original order.
  public let kept: [Range<Int>]
  /// Blocks dropped.
  public let droppedBlocks: Int
  /// Tokens in the dropped blocks.
  public let droppedTokens: Int
  /// The longest block kept.
  public let maxLength: Int

  /// Filters `blocks` to those of at most `maxLength` tokens.
  public init(_ blocks: [Range<Int>], maxLength: Int) {
    kept = blocks.filter { $0.count <= maxLength }
    droppedBlocks = blocks.count - kept.count
    droppedTokens = blocks.reduce(0) { $0 + $1.count } - kept.reduce(0) { $0 + $1.count }
    self.maxLength = maxLength
  }
}

/// A batch of language-model samples: the target is each block's tokens, the input the same
/// tokens shifted right by one (the token before the block, or `</s>` at the stream's start);
/// both right-padded with `<pad>`.
public struct LMBatch: Equatable, Sendable {
  /// The block indices of the rows.
  public let rows: [Int]
  /// Inputs, [batchSize, length].
  public let input: SequenceBatch
  /// Targets, [batchSize, length]; padding positions hold `<pad>`.
  public let target: SequenceBatch

  /// Reads the blocks `rows` of `blocks` from `split` (one hyperslab union).
  public init(split: DatasetSplit, blocks: [Range<Int>], rows: [Int]) throws {
    if let bad = rows.first(where: { !blocks.indices.contains($0) }) {
      throw DataError("block \(bad) is outside 0..<\(blocks.count) of split \(split.name)")
    }
    let chosen = rows.map { blocks[$0] }
    let extended = chosen.map { max($0.lowerBound - 1, 0)..<$0.upperBound }
    let pieces = try split.tokens(ranges: extended)
    var inputs: [[Int32]] = []
    var targets: [[Int32]] = []
    for (block, piece) in zip(chosen, pieces) {
      let target = block.lowerBound == 0 ? piece : Array(piece.dropFirst())
      let input =
        block.lowerBound == 0
        ? [DatasetFormat.eosID] + piece.dropLast() : Array(piece.dropLast())
      inputs.append(input)
      targets.append(target)
    }
    self.rows = rows
    input = SequenceBatch(padding: inputs)
    target = SequenceBatch(padding: targets)
  }
}
