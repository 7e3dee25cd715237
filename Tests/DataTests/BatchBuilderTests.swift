import Data
import XCTest

final class BatchBuilderTests: XCTestCase {
  func testTokenBatchIsRightPaddedWithPad() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("tok.h5")
    try Fixtures.tokenFile(path, retrieval: true)
    let file = try DatasetFile.open(path)
    let (sequences, labels) = Fixtures.sequences(23)
    let batch = try BatchBuilder(file: file).batch(file.split("valid"), rows: [3, 0])
    XCTAssertEqual(batch.labels, [labels[3], labels[0]])
    XCTAssertEqual(batch.input.lengths, [sequences[3].count, sequences[0].count])
    XCTAssertEqual(batch.input.length, 3)
    let pad = DatasetFormat.padID
    XCTAssertEqual(batch.input.values, .tokens([7, 8, 2, 4, 2, pad]))
    XCTAssertEqual(batch.input.paddingMask, [0, 0, 0, 0, 0, 1])
    let reversed = Array(sequences.reversed())
    XCTAssertEqual(batch.secondInput?.lengths, [reversed[3].count, reversed[0].count])
  }

  func testPixelsAreNormalisedFromStoredOrGivenConstants() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("pix.h5")
    try Fixtures.pixelFile(path)
    let file = try DatasetFile.open(path)
    let stored = try BatchBuilder(file: file).batch(file.split("test"), rows: [2])
    let expected = (12..<18).map { (Float($0) / 255 - 0.5) / 0.5 }
    XCTAssertEqual(stored.input.values, .reals(expected))
    XCTAssertEqual(stored.input.length, 6)
    let given = try BatchBuilder(file: file, pixelMean: 0, pixelStd: 1).batch(
      file.split("test"), rows: [0])
    XCTAssertEqual(given.input.values, .reals((0..<6).map { Float($0) / 255 }))
    XCTAssertThrowsError(try BatchBuilder(file: file, pixelStd: 0))
  }

  func testAudioIsNormalisedPerPosition() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("aud.h5")
    try Fixtures.audioFile(path)
    let file = try DatasetFile.open(path)
    let batch = try BatchBuilder(file: file).batch(file.split("train"), rows: [3, 1])
    let mean = [1.0, 2, 3, 4]
    let std = [0.75, 1.75, 2.75, 3.75]
    var expected: [Float] = []
    for i in [3, 1] {
      for t in 0..<4 {
        let pcm = Double(1000 * i - 100 * t)
        expected.append(Float((pcm * 0.5 - mean[t]) / (std[t] + 0.25)))
      }
    }
    XCTAssertEqual(batch.input.values, .reals(expected))
    XCTAssertEqual(batch.labels, [3, 1])
  }

  /// A global batch read in W contiguous rank shares (from a file too large to hold in memory)
  /// gives the rows and labels of the batch read at once.
  func testRanksTogetherReadTheSingleRankBatch() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("dist.h5")
    try Fixtures.tokenFile(path, count: 50)
    let file = try DatasetFile.open(path, memoryBudget: 0)
    let train = try file.split("train")
    XCTAssertFalse(train.isResident)
    let builder = try BatchBuilder(file: file)
    let order = EpochOrder.permutation(count: train.count, seed: 11, epoch: 2)
    let singleEpoch = (0..<4).map { Array(order[($0 * 12)..<($0 * 12 + 12)]) }
    for world in 1...4 {
      for (index, rows) in singleEpoch.enumerated() {
        let share = rows.count / world
        let rankRows = (0..<world).map { Array(rows[($0 * share)..<(($0 + 1) * share)]) }
        XCTAssertEqual(rankRows.flatMap { $0 }, rows, "W=\(world) batch \(index)")
        let whole = try train.sequences(rows: rows)
        let pieces = try rankRows.flatMap { try train.sequences(rows: $0) }
        XCTAssertEqual(pieces, whole)
        let labels = try rankRows.flatMap { try builder.batch(train, rows: $0).labels }
        XCTAssertEqual(labels, try builder.batch(train, rows: rows).labels)
      }
    }
  }
}
