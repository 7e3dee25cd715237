/// Training blocks of varying length (fairseq's `--variant-block-multiple-min/max` in the Mega
/// repository's language-modeling task): a `complete`-mode cut of the stream where block `k` may
/// hold up to `sizes[k]` tokens, each size a multiple `min…max` of the base block (the decoder's
/// chunk for Mega, `--tokens-per-sample` otherwise), drawn afresh every epoch as the reference
/// draws them with numpy:
///
/// - epoch 1: after `np.random.seed(seed)`, `np.random.choice(multiples × base, L)` for the L
///   lines of the split (the dataset's construction);
/// - epoch e > 1: `RandomState([42, seed mod 2^32, e]).choice(multiples × base, L / 2)` (its
///   `reindex`); a cut that needs more sizes than were drawn is an error (the reference stops with
///   an `IndexError` there).
public struct VariantBlocks: Equatable, Sendable {
  /// The base block in tokens.
  public let base: Int
  /// The smallest multiple of `base` (`--variant-block-multiple-min`).
  public let minMultiple: Int
  /// The largest multiple of `base` (`--variant-block-multiple-max`, > 1).
  public let maxMultiple: Int
  /// The run seed (`--seed`).
  public let seed: UInt64

  /// Blocks of `minMultiple…maxMultiple × base` tokens; throws naming the flags when the range is
  /// empty or not above one block.
  public init(base: Int, minMultiple: Int, maxMultiple: Int, seed: UInt64) throws {
    guard base > 0 else { throw DataError("variant blocks need a base block > 0, not \(base)") }
    guard maxMultiple > 1, (1...maxMultiple).contains(minMultiple) else {
      throw DataError(
        "--variant-block-multiple-min \(minMultiple) --variant-block-multiple-max \(maxMultiple):"
          + " need 1 <= min <= max and max > 1")
    }
    self.base = base
    self.minMultiple = minMultiple
    self.maxMultiple = maxMultiple
    self.seed = seed
  }

  /// The longest block a size can allow (a single longer line still makes a block of its own).
  public var longest: Int { maxMultiple * base }

  /// The block sizes drawn for `epoch` (1-based) of a split of `lines` lines.
  public func sizes(epoch: Int, lines: Int) -> [Int] {
    let choices = (minMultiple...maxMultiple).map { $0 * base }
    let low = UInt32(truncatingIfNeeded: seed)
    if epoch <= 1 {
      var rng = MersenneTwister(seed: low)
      return rng.choice(choices, count: lines)
    }
    var rng = MersenneTwister(key: [42, low, UInt32(truncatingIfNeeded: epoch)])
    return rng.choice(choices, count: lines / 2)
  }

  /// The blocks of `epoch` of a stream whose lines start at `lineOffsets`.
  public func blocks(lineOffsets: [Int64], epoch: Int) throws -> [Range<Int>] {
    let lines = max(lineOffsets.count - 1, 0)
    let drawn = sizes(epoch: epoch, lines: lines)
    return try LMBlocks.complete(lineOffsets: lineOffsets) { k in
      guard k < drawn.count else {
        throw DataError(
          "epoch \(epoch): block \(k + 1) needs a size but the reference draws \(drawn.count) for "
            + "\(lines) lines (--variant-block-multiple-min/max)")
      }
      return drawn[k]
    }
  }
}
