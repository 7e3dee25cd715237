/// Batches by token count (fairseq's `--max-tokens` with `--required-batch-size-multiple`): the
/// examples sorted by length (ties in a seeded random order, as fairseq's `ordered_indices`),
/// packed greedily while `rows × longest ≤ maxTokens` (and at most `maxSentences` rows when
/// given), a full batch cut back to a multiple of `multiple` rows unless it has fewer (fairseq's
/// `batch_by_size`), then the batches shuffled for the epoch. Every rank computes the same list.
public struct TokenBatches: Equatable, Sendable {
  /// Tokens per batch: rows × the longest row.
  public let maxTokens: Int
  /// Rows per batch at most (nil: no limit).
  public let maxSentences: Int?
  /// A full batch keeps a multiple of this many rows (or all of them when fewer).
  public let multiple: Int

  /// Batches of at most `maxTokens` padded tokens; throws naming the flag of a value below 1.
  public init(maxTokens: Int, maxSentences: Int?, multiple: Int) throws {
    guard maxTokens > 0 else { throw DataError("--max-tokens \(maxTokens) must be > 0") }
    if let maxSentences, maxSentences < 1 {
      throw DataError("--batch-size \(maxSentences) must be > 0")
    }
    guard multiple > 0 else {
      throw DataError("--required-batch-size-multiple \(multiple) must be > 0")
    }
    self.maxTokens = maxTokens
    self.maxSentences = maxSentences
    self.multiple = multiple
  }

  /// The batches of examples with lengths `lengths` for `epoch` of a run seeded with `seed`, in
  /// the order the epoch trains them; throws naming `--max-tokens` when one example alone is
  /// longer.
  public func batches(lengths: [Int], seed: UInt64, epoch: UInt64) throws -> [[Int]] {
    if let (index, longest) = lengths.enumerated().max(by: { $0.element < $1.element }),
      longest > maxTokens
    {
      throw DataError(
        "--max-tokens \(maxTokens): example \(index) alone has \(longest) tokens")
    }
    let tieBreak = EpochOrder.permutation(
      count: lengths.count, seed: seed, epoch: epoch, purpose: .tokenBatchOrder)
    var rank = [Int](repeating: 0, count: lengths.count)
    for (position, index) in tieBreak.enumerated() { rank[index] = position }
    let sorted = lengths.indices.sorted {
      (lengths[$0], rank[$0]) < (lengths[$1], rank[$1])
    }
    var batches = pack(sorted, lengths: lengths)
    var rng = EpochOrder.generator(seed: seed, purpose: .epochShuffle, epoch: epoch)
    EpochOrder.shuffle(&batches, using: &rng)
    return batches
  }

  /// fairseq's greedy packing of `order` (examples in the order they are packed).
  public func pack(_ order: [Int], lengths: [Int]) -> [[Int]] {
    var batches: [[Int]] = []
    var batch: [Int] = []
    var longest = 0
    for index in order {
      longest = max(longest, lengths[index])
      let full =
        !batch.isEmpty
        && (maxSentences == batch.count || (batch.count + 1) * longest > maxTokens)
      if full {
        let keep = max(multiple * (batch.count / multiple), batch.count % multiple)
        batches.append(Array(batch[..<keep]))
        batch.removeFirst(keep)
        longest = max(batch.map { lengths[$0] }.max() ?? 0, lengths[index])
      }
      batch.append(index)
    }
    if !batch.isEmpty { batches.append(batch) }
    return batches
  }
}
