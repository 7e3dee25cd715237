import Data
import XCTest

/// `--max-tokens` batches as fairseq's `batch_by_size` packs them (hand-checked).
final class TokenBatchesTests: XCTestCase {
  /// Lengths 2 2 3 3 3 5 5 6 in that order, 12 tokens per batch: [2 2 3 3] (a fifth row makes
  /// 5 × 3 = 15) · [3 5] (a third makes 3 × 5 = 15) · [5 6] (the rest).
  func testPacksWhileRowsTimesLongestFit() throws {
    let lengths = [2, 2, 3, 3, 3, 5, 5, 6]
    let batching = try TokenBatches(maxTokens: 12, maxSentences: nil, multiple: 1)
    XCTAssertEqual(
      batching.pack(Array(0..<8), lengths: lengths), [[0, 1, 2, 3], [4, 5], [6, 7]])
    // With a multiple of 3, the full batch of 4 keeps 3 rows and the fourth starts the next:
    // [2 2 3] · [3 3] (+5: 3 × 5 = 15) · [5 5] (+6: 18) · [6].
    let threes = try TokenBatches(maxTokens: 12, maxSentences: nil, multiple: 3)
    XCTAssertEqual(
      threes.pack(Array(0..<8), lengths: lengths), [[0, 1, 2], [3, 4], [5, 6], [7]])
    // At most 2 rows.
    let pairs = try TokenBatches(maxTokens: 100, maxSentences: 2, multiple: 1)
    XCTAssertEqual(pairs.pack(Array(0..<5), lengths: lengths), [[0, 1], [2, 3], [4]])
  }

  func testEpochBatchesSortByLengthCoverEveryExampleAndFollowTheSeed() throws {
    let lengths = [7, 1, 4, 4, 2, 9, 3, 3, 8, 1, 5, 6]
    let batching = try TokenBatches(maxTokens: 16, maxSentences: nil, multiple: 1)
    let one = try batching.batches(lengths: lengths, seed: 4, epoch: 1)
    XCTAssertEqual(one.flatMap { $0 }.sorted(), Array(0..<12))
    for batch in one {
      XCTAssertLessThanOrEqual(batch.count * batch.map { lengths[$0] }.max()!, 16)
    }
    XCTAssertEqual(try batching.batches(lengths: lengths, seed: 4, epoch: 1), one)
    let other = try (2...6).map { try batching.batches(lengths: lengths, seed: 4, epoch: $0) }
    XCTAssertTrue(other.contains { $0 != one }, "each epoch shuffles its batches")
    XCTAssertThrowsError(try batching.batches(lengths: [3, 17], seed: 1, epoch: 1)) {
      XCTAssertEqual("\($0)", "--max-tokens 16: example 1 alone has 17 tokens")
    }
  }
}
