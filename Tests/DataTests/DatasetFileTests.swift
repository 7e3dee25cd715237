import Data
import Foundation
import HDF5
import XCTest

final class DatasetFileTests: XCTestCase {
  func testValidTokenFileOpens() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("ok.h5")
    try Fixtures.tokenFile(path)
    let file = try DatasetFile.open(path)
    XCTAssertEqual(file.task, "listops")
    XCTAssertEqual(file.inputKind, .tokens)
    XCTAssertEqual(file.vocabSize, 24)
    XCTAssertEqual(file.clsID, 24)
    XCTAssertEqual(try file.split("train").count, 23)
    XCTAssertEqual(try file.classNames(), ["0", "1", "2"])
    let symbols = try file.vocabularySymbols()
    XCTAssertEqual(Array(symbols.prefix(6)), ["<s>", "<pad>", "</s>", "<unk>", "a", "b"])
    XCTAssertEqual(symbols.last, "t")
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path(".ok.h5.tmp-\(getpid())")))
  }

  private func assertOpenFails(
    _ path: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertThrowsError(try DatasetFile.open(path), file: file, line: line) { error in
      XCTAssertEqual("\(error)", expected, file: file, line: line)
    }
  }

  func testMissingAndCorruptedFiles() throws {
    let dir = try TemporaryDirectory()
    assertOpenFails(dir.path("none.h5"), "\(dir.path("none.h5")): file not found")
    let path = dir.path("bad.h5")
    try Fixtures.tokenFile(path)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    var broken = bytes
    broken.replaceSubrange(0..<8, with: [UInt8](repeating: 0, count: 8))
    try broken.write(to: URL(fileURLWithPath: path))
    assertOpenFails(path, "\(path): not an HDF5 file")
  }

  func testMissingAttributeAndUnknownFormat() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("a.h5")
    try Fixtures.tokenFile(path) { try $0.root.removeAttribute("max_length") }
    assertOpenFails(path, "\(path): attribute max_length missing")
    try Fixtures.tokenFile(path) { try $0.root.setAttribute("format_version", int64: 2) }
    assertOpenFails(path, "\(path): format_version: is 2, this reader knows 1")
    try Fixtures.tokenFile(path) { try $0.root.setAttribute("format", string: "other") }
    assertOpenFails(path, "\(path): format: is \"other\", expected \"seqboat-hdf5\"")
    try Fixtures.tokenFile(path) { try $0.root.setAttribute("vocab_size", int64: 30) }
    assertOpenFails(
      path,
      "\(path): vocab_size: is 30 but /vocab/offsets has 25 entries (expected vocab_size + 1)")
    try Fixtures.tokenFile(path) { try $0.root.setAttribute("task", int64: 3) }
    assertOpenFails(path, "\(path): task: is not a string")
  }

  func testOffsetsAndLabelsAreChecked() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("o.h5")
    let (sequences, _) = Fixtures.sequences(23)
    let total = Int64(sequences.reduce(0) { $0 + $1.count })
    try Fixtures.tokenFile(path, offsets: (0...23).map { $0 == 23 ? total - 1 : Int64($0) })
    assertOpenFails(
      path,
      "\(path): /train/offsets: ends at \(total - 1), expected the length of /train/tokens (\(total))"
    )
    try Fixtures.tokenFile(path, offsets: [1] + [Int64](repeating: total, count: 23))
    assertOpenFails(path, "\(path): /train/offsets: starts at 1, expected 0")
    try Fixtures.tokenFile(path, offsets: [0, 5, 3] + [Int64](repeating: total, count: 21))
    assertOpenFails(path, "\(path): /train/offsets: decreases at entry 2 (5 > 3)")
    try Fixtures.tokenFile(path, labels: [Int32](repeating: 0, count: 22) + [3])
    assertOpenFails(path, "\(path): /train/labels: label 3 of example 22 is outside 0..<3")
    try Fixtures.tokenFile(path) { try $0.root.openGroup("valid").writeDataset("extra", [1]) }
    XCTAssertNoThrow(try DatasetFile.open(path))
  }

  func testWrongRankAndClass() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("r.h5")
    try Fixtures.pixelFile(path)
    XCTAssertNoThrow(try DatasetFile.open(path))
    try Fixtures.pixelFile(path, std: 0)
    assertOpenFails(path, "\(path): pixel_std: is 0.0, must be > 0")
    try Fixtures.tokenFile(path, count: 4, labelShape: [2, 2])
    assertOpenFails(path, "\(path): /train/labels: has rank 2, expected 1")
    try Fixtures.tokenFile(path, count: 4, floatLabels: true)
    assertOpenFails(path, "\(path): /train/labels: holds float32 values, expected integers")
  }

  func testTokenIdsAreCheckedPerBatch() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("t.h5")
    var (sequences, _) = Fixtures.sequences(23)
    sequences[5][0] = 30
    try Fixtures.tokenFile(path, sequences: sequences)
    let file = try DatasetFile.open(path)
    let train = try file.split("train")
    XCTAssertEqual(try train.sequences(rows: [4, 6]).count, 2)
    XCTAssertThrowsError(try train.sequences(rows: [1, 5])) { error in
      XCTAssertEqual(
        "\(error)", "\(path): /train/tokens: token id 30 in example 5 is outside 0..<vocab_size 24")
    }
  }
}
