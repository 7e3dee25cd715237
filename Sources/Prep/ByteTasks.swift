import Data

/// Shared parts of the byte-level LRA tasks (text, retrieval): the fixed byte vocabulary
/// (byte b → id b + 4, DATASETS.md 3.2) and its train counts.
struct ByteCounts {
  private(set) var counts = [Int64](repeating: 0, count: 256)

  /// Default truncation limit: 4,000 bytes + eos.
  static let defaultMaxLength = 4001

  /// Appends the ids of `bytes` (cut to `maxLength − 1`) to `split`, counting them when `train`.
  mutating func append(
    _ bytes: ArraySlice<UInt8>, to split: inout TokenSplit, maxLength: Int, train: Bool,
    second: Bool = false
  ) {
    if train { for byte in bytes.prefix(maxLength - 1) { counts[Int(byte)] += 1 } }
    split.append(bytes.lazy.map { Int32($0) + 4 }, maxLength: maxLength, second: second)
  }

  /// The vocabulary with these counts.
  var vocabulary: Vocabulary { Vocabulary.bytes(counts: counts) }
}
