/// The values of one batched input, row-major [batchSize, length].
public enum BatchValues: Equatable, Sendable {
  /// Token ids, right-padded with `<pad>` (id 1).
  case tokens([Int32])
  /// Real values (normalised pixels or audio samples), right-padded with 0.
  case reals([Float])
}

/// One input of a batch: a [batchSize, length] block of tokens or reals and each row's length.
public struct SequenceBatch: Equatable, Sendable {
  /// Rows.
  public let batchSize: Int
  /// Columns (the longest row, rounded up to the padding multiple).
  public let length: Int
  /// Each row's length before padding.
  public let lengths: [Int]
  /// The values.
  public let values: BatchValues

  /// A batch; `values` must hold batchSize × length entries.
  public init(batchSize: Int, length: Int, lengths: [Int], values: BatchValues) {
    self.batchSize = batchSize
    self.length = length
    self.lengths = lengths
    self.values = values
  }

  /// Token sequences right-padded with `<pad>` to the longest one (models pad further as they
  /// need, e.g. Mega to a multiple of its chunk).
  public init(padding sequences: [[Int32]]) {
    let length = sequences.map(\.count).max() ?? 0
    var tokens = [Int32](repeating: DatasetFormat.padID, count: sequences.count * length)
    for (row, sequence) in sequences.enumerated() {
      tokens.replaceSubrange((row * length)..<(row * length + sequence.count), with: sequence)
    }
    self.init(
      batchSize: sequences.count, length: length, lengths: sequences.map(\.count),
      values: .tokens(tokens))
  }

  /// 1 where a position is padding, 0 where it holds data, row-major [batchSize, length].
  public var paddingMask: [UInt8] {
    lengths.flatMap { used in (0..<length).map { $0 < used ? 0 : 1 } }
  }
}

/// A batch of a classification task: one or two inputs and the class of each row.
public struct ClassificationBatch: Equatable, Sendable {
  /// The example indices of the rows, in row order.
  public let rows: [Int]
  /// The class of each row.
  public let labels: [Int32]
  /// The first (or only) input.
  public let input: SequenceBatch
  /// The second document of retrieval pairs.
  public let secondInput: SequenceBatch?
}
