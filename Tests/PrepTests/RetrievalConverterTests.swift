import Data
import Prep
import XCTest

final class RetrievalConverterTests: XCTestCase {
  func testConvertsPairs() throws {
    let dir = try TemporaryDirectory()
    try dir.write(
      "tsv_data/new_aan_pairs.train.tsv", text: "1.0\tP1\tP2\tab \"c\tde\r\n0\tP3\tP4\tx\ty\r\n")
    try dir.write("tsv_data/new_aan_pairs.eval.tsv", text: "0.5\tP5\tP6\tq\tr\n")
    try dir.write("tsv_data/new_aan_pairs.test.tsv", text: "1\tP7\tP8\tlonger text\ts\n")
    var options = PrepOptions(raw: dir.path("tsv_data"), out: dir.path("r.h5"))
    options.maxLength = 5
    let summary = try PrepTask.retrieval.convert(options, progress: false)
    XCTAssertEqual(summary.splits.map(\.examples), [2, 1, 1])
    let file = try DatasetFile.open(dir.path("r.h5"))
    let train = try file.split("train")
    XCTAssertEqual(train.labels, [1, 0])
    let ids = { (text: String) in Array(text.utf8).map { Int32($0) + 4 } + [2] }
    XCTAssertEqual(try allSequences(train), [ids("ab \""), ids("x")])
    XCTAssertEqual(try allSequences(train, second: true), [ids("de"), ids("y")])
    XCTAssertEqual(try allSequences(file.split("test")), [ids("long")])
    XCTAssertEqual(try file.split("valid").labels, [0])
    let batch = try BatchBuilder(file: file).batch(train, rows: [1, 0])
    XCTAssertEqual(batch.secondInput?.lengths, [2, 3])
  }

  func testWrongFieldCountAndLabel() throws {
    let dir = try TemporaryDirectory()
    try dir.write("tsv_data/new_aan_pairs.eval.tsv", text: "0\tP5\tP6\tq\tr\n")
    try dir.write("tsv_data/new_aan_pairs.test.tsv", text: "1\tP7\tP8\tt\ts\n")
    let train = try dir.write(
      "tsv_data/new_aan_pairs.train.tsv", text: "1\tP1\tP2\ta\tb\n0\tP3\tx\n")
    let options = PrepOptions(raw: dir.path("tsv_data"), out: dir.path("r.h5"))
    try assertPrepFails(.retrieval, options, "\(train): line 2: has 3 fields, expected 5", in: dir)
    try dir.write("tsv_data/new_aan_pairs.train.tsv", text: "2\tP1\tP2\ta\tb\n")
    try assertPrepFails(.retrieval, options, "\(train): line 1: label \"2\" is not 0 or 1", in: dir)
  }
}
