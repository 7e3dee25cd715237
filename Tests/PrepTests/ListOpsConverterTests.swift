import Data
import HDF5
import Prep
import XCTest

final class ListOpsConverterTests: XCTestCase {
  let header = "Source\tTarget"

  private func writeListOps(
    _ dir: TemporaryDirectory, train: [String], valid: [String], test: [String],
    newline: String = "\r\n"
  ) throws {
    for (name, rows) in [("basic_train", train), ("basic_val", valid), ("basic_test", test)] {
      try dir.write(
        "listops-1000/\(name).tsv", text: ([header] + rows).map { $0 + newline }.joined())
    }
  }

  func testConvertsCRLFAndLFFiles() throws {
    for newline in ["\r\n", "\n"] {
      let dir = try TemporaryDirectory()
      try writeListOps(
        dir,
        train: ["( ( ( [MAX 2 ) 9 ) ] )\t9", "( ( ( [SM 2 ) ( ( ( [MIN 3 ) 4 ) ] ) ) ] )\t5"],
        valid: ["( ( ( [MED 1 ) 7 ) ] )\t4"], test: ["( ( ( [MAX 0 ) 0 ) ] )\t0"],
        newline: newline)
      var options = PrepOptions(raw: dir.path("listops-1000"), out: dir.path("listops.h5"))
      options.maxLength = 5
      let summary = try PrepTask.listops.convert(options, progress: false)
      XCTAssertEqual(summary.vocabSize, 16)
      XCTAssertEqual(summary.splits.map(\.examples), [2, 1, 1])
      XCTAssertEqual(summary.splits[0].truncated, 1)
      let file = try DatasetFile.open(dir.path("listops.h5"))
      let symbols = try file.vocabularySymbols()
      // Train counts: ] 3, 2 2, then 9, [MAX, [SM, 3, 4, [MIN once each (code-point order).
      XCTAssertEqual(
        Array(symbols[4..<12]), ["]", "2", "3", "4", "9", "[MAX", "[MIN", "[SM"])
      XCTAssertEqual(symbols.count, 16)
      XCTAssertEqual(symbols[12], "madeupword0000")
      let train = try file.split("train")
      XCTAssertEqual(try allSequences(train), [[9, 5, 8, 4, 2], [11, 5, 10, 6, 2]])
      XCTAssertEqual(train.labels, [9, 5])
      XCTAssertEqual(try train.group.openDataset("source_index").read(as: Int64.self), [0, 1])
      XCTAssertEqual(try file.root.int64Attribute("max_length"), 5)
      XCTAssertEqual(try file.root.int64Attribute("cls_id"), 16)
      XCTAssertEqual(try train.group.int64Attribute("num_truncated"), 1)
      XCTAssertEqual(try train.group.int64ArrayAttribute("class_counts")[9], 1)
      let valid = try file.split("valid")
      XCTAssertEqual(try allSequences(valid), [[3, 3, 3, 4, 2]])
      XCTAssertEqual(try valid.group.int64Attribute("num_unk"), 3)
      XCTAssertEqual(try file.split("test").labels, [0])
    }
  }

  func testBadInputsNameFileAndLine() throws {
    let dir = try TemporaryDirectory()
    let options = PrepOptions(raw: dir.path("listops-1000"), out: dir.path("out.h5"))
    let trainPath = dir.path("listops-1000/basic_train.tsv")
    let good = "( ( ( [MAX 2 ) 9 ) ] )\t9"
    try writeListOps(dir, train: [good, "( ( ( [MAX 2 ) 9 ) ] )\t10"], valid: [good], test: [good])
    try assertPrepFails(
      .listops, options, "\(trainPath): line 3: Target \"10\" is not 0..9", in: dir)
    try writeListOps(dir, train: [good, "( ( ( [MAX 2 ) 9 ) ] )"], valid: [good], test: [good])
    try assertPrepFails(
      .listops, options, "\(trainPath): line 3: has 1 fields, expected 2", in: dir)
    try writeListOps(
      dir, train: [good, "( ( ( [MAX 2 ) 9 ) ] )\t9\textra"], valid: [good], test: [good])
    try assertPrepFails(
      .listops, options, "\(trainPath): line 3: has 3 fields, expected 2", in: dir)
    try writeListOps(dir, train: [good], valid: [good], test: ["( ( ( [FIRST 2 ) 9 ) ] )\t2"])
    try assertPrepFails(
      .listops, options,
      "\(dir.path("listops-1000/basic_test.tsv")): line 2: unknown token \"[FIRST\"", in: dir)
    try dir.write("listops-1000/basic_val.tsv", text: good + "\n")
    try assertPrepFails(
      .listops, options,
      "\(dir.path("listops-1000/basic_val.tsv")): line 1: missing header \"Source<TAB>Target\"",
      in: dir)
    try FileManager.default.removeItem(atPath: dir.path("listops-1000/basic_val.tsv"))
    try assertPrepFails(
      .listops, options, "\(dir.path("listops-1000/basic_val.tsv")): file: does not exist", in: dir)
  }

  func testExistingOutputIsKeptOnFailure() throws {
    let dir = try TemporaryDirectory()
    try dir.write("out.h5", text: "previous")
    try writeListOps(dir, train: ["bad"], valid: [], test: [])
    let options = PrepOptions(raw: dir.path("listops-1000"), out: dir.path("out.h5"))
    XCTAssertThrowsError(try PrepTask.listops.convert(options, progress: false))
    XCTAssertEqual(try String(contentsOfFile: dir.path("out.h5"), encoding: .utf8), "previous")
  }
}
