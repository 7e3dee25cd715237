import Data
import Foundation
import HDF5
import Prep
import XCTest

final class TextConverterTests: XCTestCase {
  private func writeReviews(_ dir: TemporaryDirectory) throws {
    try dir.write("aclImdb/train/pos/10_9.txt", text: "Great<br /><br />film")
    try dir.write("aclImdb/train/pos/2_7.txt", text: "ok")
    try dir.write("aclImdb/train/neg/3_1.txt", Array("bad \u{e9}".utf8))
    try dir.write("aclImdb/train/unsup/5_0.txt", text: "ignored")
    try dir.write("aclImdb/test/neg/0_2.txt", text: "meh")
    try dir.write("aclImdb/test/pos/1_10.txt", text: "wow")
    try dir.write("aclImdb/imdb.vocab", text: "the\n")
  }

  func testConvertsTheExtractedTree() throws {
    let dir = try TemporaryDirectory()
    try writeReviews(dir)
    var options = PrepOptions(raw: dir.url.path, out: dir.path("text.h5"))
    options.maxLength = 6
    let summary = try PrepTask.text.convert(options, progress: false)
    XCTAssertEqual(summary.splits.map(\.examples), [3, 2, 2])
    XCTAssertEqual(summary.vocabSize, 264)
    let file = try DatasetFile.open(dir.path("text.h5"))
    XCTAssertEqual(file.clsID, 264)
    let train = try file.split("train")
    XCTAssertEqual(train.labels, [0, 1, 1])
    let bytes = Array("bad \u{e9}".utf8)
    XCTAssertEqual(
      try allSequences(train),
      [
        bytes.prefix(5).map { Int32($0) + 4 } + [2], Array("ok".utf8).map { Int32($0) + 4 } + [2],
        Array("Great".utf8).map { Int32($0) + 4 } + [2],
      ])
    XCTAssertEqual(try train.group.int64Attribute("num_truncated"), 2)
    XCTAssertEqual(try file.root.softLinkTarget("valid"), "/test")
    XCTAssertEqual(try allSequences(file.split("valid")), try allSequences(file.split("test")))
    XCTAssertEqual(try file.split("test").labels, [0, 1])
    let counts = try file.root.openDataset("vocab/counts").read(as: Int64.self)
    XCTAssertEqual(counts[Int(UInt8(ascii: "G")) + 4], 1)
    XCTAssertEqual(counts[Int(UInt8(ascii: "f")) + 4], 0)
    XCTAssertEqual(try file.classNames(), ["neg", "pos"])
  }

  func testArchiveGivesTheSameFileAsTheTree() throws {
    let dir = try TemporaryDirectory()
    try writeReviews(dir)
    var options = PrepOptions(raw: dir.url.path, out: dir.path("tree.h5"))
    _ = try PrepTask.text.convert(options, progress: false)
    let long = "aclImdb/test/pos/" + String(repeating: "0", count: 90) + "7_10.txt"
    let files: [(String, [UInt8])] = [
      ("aclImdb/README", Array("readme".utf8)),
      ("aclImdb/train/pos/10_9.txt", Array("Great<br /><br />film".utf8)),
      ("aclImdb/train/neg/3_1.txt", Array("bad \u{e9}".utf8)),
      ("aclImdb/train/unsup/5_0.txt", Array("ignored".utf8)),
      ("aclImdb/test/neg/0_2.txt", Array("meh".utf8)),
      ("aclImdb/train/pos/2_7.txt", Array("ok".utf8)),
      ("aclImdb/test/pos/1_10.txt", Array("wow".utf8)),
      (long, Array("long name".utf8)),
    ]
    let archive = try dir.write("aclImdb_v1.tar.gz", RawFormatWriters.tarGz(files))
    options = PrepOptions(raw: archive, out: dir.path("archive.h5"))
    let summary = try PrepTask.text.convert(options, progress: false)
    XCTAssertEqual(summary.splits.map(\.examples), [3, 3, 3])
    let fromTree = try DatasetFile.open(dir.path("tree.h5"))
    let fromArchive = try DatasetFile.open(dir.path("archive.h5"))
    XCTAssertEqual(
      try allSequences(fromArchive.split("train")), try allSequences(fromTree.split("train")))
    let test = try allSequences(fromArchive.split("test"))
    XCTAssertEqual(test.last, Array("long name".utf8).map { Int32($0) + 4 } + [2])
    let digest = try fromArchive.root.stringAttribute("source_sha256")
    XCTAssertTrue(digest.hasPrefix("aclImdb_v1.tar.gz="))
    XCTAssertEqual(digest.count, "aclImdb_v1.tar.gz=".count + 64)
    XCTAssertEqual(try fromTree.root.stringAttribute("source_sha256"), "")
    var truncated = try Array(Data(contentsOf: URL(fileURLWithPath: archive)))
    truncated.removeLast(truncated.count / 2)
    try dir.write("aclImdb_v1.tar.gz", truncated)
    try assertPrepFails(.text, options, "\(archive): archive: truncated gzip input", in: dir)
  }

  func testBadReviewFiles() throws {
    let dir = try TemporaryDirectory()
    try writeReviews(dir)
    let options = PrepOptions(raw: dir.path("aclImdb"), out: dir.path("text.h5"))
    let empty = try dir.write("aclImdb/test/pos/7_8.txt", [])
    try assertPrepFails(.text, options, "\(empty): review: is empty", in: dir)
    try FileManager.default.removeItem(atPath: empty)
    let badName = try dir.write("aclImdb/train/neg/notes.txt", text: "x")
    try assertPrepFails(.text, options, "\(badName): name: is not <int>_<int>.txt", in: dir)
  }
}
