import Data
import XCTest

final class LMBlocksTests: XCTestCase {
  let lines: [Int64] = [0, 3, 5, 12, 13, 15]

  func testCompleteModePacksWholeLines() throws {
    XCTAssertEqual(
      try LMBlocks.blocks(lineOffsets: lines, blockSize: 5, mode: .complete),
      [0..<5, 5..<12, 12..<15])
    XCTAssertEqual(
      try LMBlocks.blocks(lineOffsets: lines, blockSize: 100, mode: .complete), [0..<15])
    XCTAssertEqual(
      try LMBlocks.blocks(lineOffsets: lines, blockSize: 4, mode: .none),
      [0..<4, 4..<8, 8..<12, 12..<15])
    XCTAssertThrowsError(try LMBlocks.blocks(lineOffsets: lines, blockSize: 0, mode: .none))
  }

  func testEosModeIsOneLinePerBlock() throws {
    XCTAssertEqual(
      try LMBlocks.blocks(lineOffsets: lines, blockSize: 2, mode: .eos),
      [0..<3, 3..<5, 5..<12, 12..<13, 13..<15])
  }

  func testFilterDropsAndCountsBlocksLongerThanTheLimit() throws {
    let blocks = try LMBlocks.blocks(lineOffsets: lines, blockSize: 4, mode: .complete)
    XCTAssertEqual(blocks, [0..<3, 3..<5, 5..<12, 12..<15])
    let filter = LMBlockFilter(blocks, maxLength: 4)
    XCTAssertEqual(filter.kept, [0..<3, 3..<5, 12..<15])
    XCTAssertEqual(filter.droppedBlocks, 1)
    XCTAssertEqual(filter.droppedTokens, 7)
    XCTAssertEqual(LMBlockFilter(blocks, maxLength: 7).droppedBlocks, 0)
    XCTAssertEqual(LMBlockFilter(blocks, maxLength: 1).kept, [])
  }

  func testBatchInputIsTargetShiftedRight() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("lm.h5")
    try Fixtures.lmFile(path, lines: [[4, 5], [6], [7, 8, 9, 10]])
    let file = try DatasetFile.open(path)
    let train = try file.split("train")
    XCTAssertEqual(train.count, 3)
    let blocks = try LMBlocks.blocks(lineOffsets: train.lineOffsets, blockSize: 5, mode: .complete)
    XCTAssertEqual(blocks, [0..<5, 5..<10])
    let batch = try LMBatch(split: train, blocks: blocks, rows: [1, 0])
    XCTAssertEqual(batch.target.values, .tokens([7, 8, 9, 10, 2, 4, 5, 2, 6, 2]))
    XCTAssertEqual(batch.input.values, .tokens([2, 7, 8, 9, 10, 2, 4, 5, 2, 6]))
    XCTAssertThrowsError(try LMBatch(split: train, blocks: blocks, rows: [2])) {
      XCTAssertEqual("\($0)", "block 2 is outside 0..<2 of split train")
    }
  }
}
