import Data
import XCTest

/// Splits read whole at open (within the memory budget) give the same batches as per-batch
/// hyperslab reads.
final class ResidentSplitTests: XCTestCase {
  private func bothWays(_ path: String) throws -> (DatasetFile, DatasetFile) {
    let streamed = try DatasetFile.open(path, memoryBudget: 0)
    let resident = try DatasetFile.open(path)
    for name in DatasetFormat.splitNames {
      XCTAssertFalse(try streamed.split(name).isResident)
      XCTAssertTrue(try resident.split(name).isResident)
    }
    return (streamed, resident)
  }

  func testTokenPixelAndAudioBatchesMatch() throws {
    let dir = try TemporaryDirectory()
    let rows = [4, 1, 7, 2]
    for (name, write) in [
      ("tokens.h5", { try Fixtures.tokenFile($0, retrieval: true) }),
      ("pixels.h5", { try Fixtures.pixelFile($0) }),
      ("audio.h5", { try Fixtures.audioFile($0, count: 8) }),
    ] as [(String, (String) throws -> Void)] {
      let path = dir.path(name)
      try write(path)
      let (streamed, resident) = try bothWays(path)
      let a = try BatchBuilder(file: streamed).batch(streamed.split("valid"), rows: rows)
      let b = try BatchBuilder(file: resident).batch(resident.split("valid"), rows: rows)
      XCTAssertEqual(a, b, name)
    }
  }

  func testLanguageModelBlocksMatch() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("lm.h5")
    try Fixtures.lmFile(path, lines: [[4, 5], [6], [7, 8, 9, 10], [11]])
    let (streamed, resident) = try bothWays(path)
    let split = try streamed.split("test")
    let blocks = try LMBlocks.blocks(lineOffsets: split.lineOffsets, blockSize: 3, mode: .none)
    XCTAssertEqual(
      try LMBatch(split: split, blocks: blocks, rows: [2, 0]),
      try LMBatch(split: resident.split("test"), blocks: blocks, rows: [2, 0]))
  }

  func testBudgetIsSpentTrainFirst() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("p.h5")
    try Fixtures.pixelFile(path, count: 10)
    let file = try DatasetFile.open(path, memoryBudget: 100)
    XCTAssertTrue(try file.split("train").isResident)
    XCTAssertFalse(try file.split("valid").isResident)
    XCTAssertEqual(
      try file.split("valid").rowValues(rows: [3], as: UInt8.self),
      try file.split("train").rowValues(rows: [3], as: UInt8.self))
  }
}
