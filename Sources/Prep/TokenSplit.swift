import Data
import HDF5

/// The examples of one split of a token task as they are collected: flat tokens plus offsets
/// (and a second document for retrieval), labels and the raw position of each example.
struct TokenSplit {
  var tokens: [Int32] = []
  var offsets: [Int64] = [0]
  var tokensB: [Int32] = []
  var offsetsB: [Int64] = [0]
  var labels: [Int32] = []
  var sourceIndex: [Int64] = []
  var truncated = 0
  var unknown = 0
  var longest = 0

  /// Number of examples.
  var count: Int { labels.count }

  /// Appends `sequence` cut to `maxLength − 1` ids, then `eos`, to the first or second stream;
  /// returns whether it was cut.
  @discardableResult
  mutating func append<S: Collection>(
    _ sequence: S, maxLength: Int, second: Bool = false, eos: Int32 = DatasetFormat.eosID
  ) -> Bool where S.Element == Int32 {
    let keep = min(sequence.count, maxLength - 1)
    let cut = keep < sequence.count
    if second {
      tokensB.append(contentsOf: sequence.prefix(keep))
      tokensB.append(eos)
      offsetsB.append(Int64(tokensB.count))
    } else {
      tokens.append(contentsOf: sequence.prefix(keep))
      tokens.append(eos)
      offsets.append(Int64(tokens.count))
    }
    longest = max(longest, keep + 1)
    if cut { truncated += 1 }
    return cut
  }

  /// Records the label and raw position of the example just appended.
  mutating func finishExample(label: Int32, source: Int) {
    labels.append(label)
    sourceIndex.append(Int64(source))
  }

  /// Writes the split group `name` (DATASETS.md 2.2) and returns its summary.
  func write(
    _ writer: DatasetWriter, name: String, vocabSize: Int, numClasses: Int, file: String
  ) throws -> PrepSummary.Split {
    guard count > 0 else {
      throw DataError(file: file, field: name, "the \(name) split would be empty")
    }
    let group = try writer.split(name)
    try writer.writeTokens(tokens, vocabSize: vocabSize, name: "tokens", in: group)
    try group.writeDataset("offsets", offsets)
    if offsetsB.count > 1 {
      try writer.writeTokens(tokensB, vocabSize: vocabSize, name: "tokens_b", in: group)
      try group.writeDataset("offsets_b", offsetsB)
    }
    try group.writeDataset("labels", labels)
    try group.writeDataset("source_index", sourceIndex)
    try writer.writeSplitAttributes(
      group, labels: labels, numClasses: numClasses,
      extra: [
        ("num_tokens", tokens.count + tokensB.count), ("max_example_length", longest),
        ("num_truncated", truncated), ("num_unk", unknown),
      ])
    return PrepSummary.Split(
      name: name, examples: count, tokens: tokens.count + tokensB.count, truncated: truncated,
      unknown: unknown)
  }
}
