import Data
import XCTest

/// fairseq's variable training blocks: the numpy draws reproduced bit for bit (figures printed by
/// numpy 2.4 with the calls named in each test), and the blocks cut from them checked by hand.
final class VariantBlocksTests: XCTestCase {
  func testMersenneTwisterMatchesNumpyRandomState() {
    // np.random.RandomState(1).randint(0, 2**32, size=3, dtype=np.uint32)
    var one = MersenneTwister(seed: 1)
    XCTAssertEqual((0..<3).map { _ in one.next() }, [1_791_095_845, 4_282_876_139, 3_093_770_124])
    // np.random.RandomState([42, 7, 3]).randint(0, 2**32, size=3, dtype=np.uint32)
    var keyed = MersenneTwister(key: [42, 7, 3])
    XCTAssertEqual(
      (0..<3).map { _ in keyed.next() }, [1_383_461_724, 2_786_236_857, 3_888_289_476])
    // np.random.RandomState(1).choice([2, 4, 6, 8, 10], 12)
    var choosing = MersenneTwister(seed: 1)
    XCTAssertEqual(
      choosing.choice([2, 4, 6, 8, 10], count: 12), [8, 10, 2, 4, 8, 2, 2, 4, 10, 10, 4, 6])
  }

  /// Lines of 3, 2, 7, 1, 2, 4, 4, 1, 5, 2 tokens; base 2, multiples 1…3, seed 1. Epoch 1 draws
  /// one size per line, `np.random.seed(1); np.random.choice([2, 4, 6], 10)` =
  /// 4 2 2 4 4 2 2 4 2 4, and block k packs whole lines while it stays within size k:
  /// [3] (3+2 > 4) · [2] (2+7 > 2) · [7] (a longer line alone) · [1 2] (+4 > 4) · [4] · [4] (≤ 2
  /// fails, alone) · [1] (+5 > 2) · [5] · [2].
  func testEpochOneBlocksAsTheReferenceCutsThem() throws {
    let offsets: [Int64] = [0, 3, 5, 12, 13, 15, 19, 23, 24, 29, 31]
    let variant = try VariantBlocks(base: 2, minMultiple: 1, maxMultiple: 3, seed: 1)
    XCTAssertEqual(variant.sizes(epoch: 1, lines: 10), [4, 2, 2, 4, 4, 2, 2, 4, 2, 4])
    XCTAssertEqual(
      try variant.blocks(lineOffsets: offsets, epoch: 1),
      [0..<3, 3..<5, 5..<12, 12..<15, 15..<19, 19..<23, 23..<24, 24..<29, 29..<31])
    // Epoch 2 draws only 10 / 2 sizes (RandomState([42, 1, 2]).choice(…, 5) = 4 6 4 2 6), too
    // few for these long lines: the reference fails with an IndexError, here one line.
    XCTAssertEqual(variant.sizes(epoch: 2, lines: 10), [4, 6, 4, 2, 6])
    XCTAssertThrowsError(try variant.blocks(lineOffsets: offsets, epoch: 2)) {
      XCTAssertEqual(
        "\($0)",
        "epoch 2: block 6 needs a size but the reference draws 5 for 10 lines "
          + "(--variant-block-multiple-min/max)")
    }
  }

  /// Twelve short lines (1 2 1 1 2 1 1 1 2 1 1 2 tokens), base 2, multiples 2…3, seed 3: epoch 1
  /// sizes 4 4 6 6 … give [1 2 1] [1 2 1] [1 1 2 1 1] [2]; epoch 2 draws
  /// `RandomState([42, 3, 2]).choice([4, 6], 6)` = 6 6 6 6 4 6: [1 2 1 1] [2 1 1 1] [2 1 1 2].
  func testLaterEpochsDrawFromSeedAndEpoch() throws {
    let offsets: [Int64] = [0, 1, 3, 4, 5, 7, 8, 9, 10, 12, 13, 14, 16]
    let variant = try VariantBlocks(base: 2, minMultiple: 2, maxMultiple: 3, seed: 3)
    XCTAssertEqual(
      try variant.blocks(lineOffsets: offsets, epoch: 1), [0..<4, 4..<8, 8..<14, 14..<16])
    XCTAssertEqual(variant.sizes(epoch: 2, lines: 12), [6, 6, 6, 6, 4, 6])
    XCTAssertEqual(try variant.blocks(lineOffsets: offsets, epoch: 2), [0..<5, 5..<10, 10..<16])
    XCTAssertEqual(variant.longest, 6)
  }

  func testRangesOutsideTheReferenceAreRefused() {
    XCTAssertThrowsError(try VariantBlocks(base: 2, minMultiple: 3, maxMultiple: 2, seed: 1)) {
      XCTAssertEqual(
        "\($0)",
        "--variant-block-multiple-min 3 --variant-block-multiple-max 2: need 1 <= min <= max "
          + "and max > 1")
    }
    XCTAssertThrowsError(try VariantBlocks(base: 0, minMultiple: 1, maxMultiple: 2, seed: 1))
  }
}
