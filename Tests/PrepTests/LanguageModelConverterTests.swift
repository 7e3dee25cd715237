import Data
import Foundation
import Prep
import XCTest

final class LanguageModelConverterTests: XCTestCase {
  func testWikiTextLinesDocumentsAndUnknowns() throws {
    let dir = try TemporaryDirectory()
    let train =
      " \n = Alpha = \n \n the cat sat \n = = Part = = \n \n the\u{a0}dog <unk> \n \n = Beta = \n \n the end"
    try dir.write("wikitext-103/wiki.train.tokens", text: train + " \n")
    try dir.write("wikitext-103/wiki.valid.tokens", text: " \n the zebra \n")
    try dir.write("wikitext-103/test.txt", text: " the cat\n")
    let options = PrepOptions(raw: dir.url.path, out: dir.path("wt.h5"))
    let summary = try PrepTask.wikitext103.convert(options, progress: false)
    XCTAssertEqual(summary.splits.map(\.examples), [11, 2, 1])
    let file = try DatasetFile.open(dir.path("wt.h5"))
    let symbols = try file.vocabularySymbols()
    // the ×4, = ×8 ... counts: "=" 8, "the" 4, then once-seen words in code-point order.
    XCTAssertEqual(Array(symbols[4..<6]), ["=", "the"])
    XCTAssertFalse(symbols.contains("<unk>", after: 4))
    XCTAssertEqual(symbols.count % 8, 0)
    let split = try file.split("train")
    XCTAssertEqual(split.lineOffsets.count, 12)
    XCTAssertEqual(split.docOffsets, [0, 1, 8, 11])
    let lines = try split.tokens(ranges: [Int(split.lineOffsets[6])..<Int(split.lineOffsets[7])])
    let id = { (word: String) in Int32(symbols.firstIndex(of: word)!) }
    XCTAssertEqual(lines[0], [id("the"), id("dog"), 3, 2])
    XCTAssertEqual(try split.tokens(ranges: [0..<1])[0], [2])
    let valid = try file.split("valid")
    XCTAssertEqual(try valid.group.int64Attribute("num_unk"), 1)
    XCTAssertEqual(try valid.tokens(ranges: [0..<valid.bulkCount])[0], [2, id("the"), 3, 2])
    XCTAssertEqual(try split.group.int64Attribute("num_unk"), 0)
  }

  func testEnwik8FromZipAndPlainFile() throws {
    let dir = try TemporaryDirectory()
    let text = Array("ab\ncd\u{e9}\nab\nxy\n\nzqzq".utf8)
    try dir.write("enwik8.zip", RawFormatWriters.zip([("enwik8", text)]))
    var options = PrepOptions(raw: dir.path("enwik8.zip"), out: dir.path("e.h5"))
    options.holdoutBytes = 4
    let summary = try PrepTask.enwik8.convert(options, progress: false)
    // train "ab\ncdé\nab\n" (11 bytes), valid "xy\n\n", test "zqzq" (+ eos).
    XCTAssertEqual(summary.splits.map(\.tokens), [11, 4, 5])
    XCTAssertEqual(summary.splits.map(\.examples), [3, 2, 1])
    let file = try DatasetFile.open(dir.path("e.h5"))
    XCTAssertEqual(file.maxLength, 5)
    let symbols = try file.vocabularySymbols()
    XCTAssertEqual(Array(symbols[4..<6]), ["97", "98"])
    let valid = try file.split("valid")
    XCTAssertEqual(try valid.tokens(ranges: [0..<4])[0], [3, 3, 2, 2])
    XCTAssertEqual(try valid.group.int64Attribute("num_unk"), 2)
    XCTAssertEqual(try file.split("test").lineOffsets, [0, 5])
    let plain = try dir.write("raw/enwik8", text)
    options.raw = plain
    options.out = dir.path("p.h5")
    _ = try PrepTask.enwik8.convert(options, progress: false)
    let other = try DatasetFile.open(dir.path("p.h5"))
    XCTAssertEqual(
      try other.split("train").tokens(ranges: [0..<11]),
      try file.split("train").tokens(ranges: [0..<11]))
    try dir.write("stored.zip", RawFormatWriters.zip([("enwik8", text)], deflate: false))
    options.raw = dir.path("stored.zip")
    options.out = dir.path("s.h5")
    _ = try PrepTask.enwik8.convert(options, progress: false)
  }

  func testEnwik8Errors() throws {
    let dir = try TemporaryDirectory()
    let zip = try dir.write("enwik8.zip", RawFormatWriters.zip([("other", [1, 2, 3])]))
    var options = PrepOptions(raw: zip, out: dir.path("e.h5"))
    try assertPrepFails(.enwik8, options, "\(zip): zip: no member enwik8 (members: other)", in: dir)
    try dir.write("enwik8.zip", RawFormatWriters.zip([("enwik8", Array("abcdefgh".utf8))]))
    options.holdoutBytes = 3
    try assertPrepFails(
      .enwik8, options, "\(zip): size: 8 bytes is shorter than 3 x --holdout-bytes 3", in: dir)
    var corrupt = RawFormatWriters.zip([("enwik8", Array("abcdefghijkl".utf8))], deflate: false)
    corrupt[30 + "enwik8".count] ^= 1
    try dir.write("enwik8.zip", corrupt)
    try assertPrepFails(
      .enwik8, options, "\(zip): enwik8: ZIP bad CRC: 0x6ddd574b should be 0xf6781b24", in: dir)
  }
}

extension Array where Element == String {
  fileprivate func contains(_ value: String, after index: Int) -> Bool {
    self[index...].contains(value)
  }
}
