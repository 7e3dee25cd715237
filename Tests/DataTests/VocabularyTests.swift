import Data
import XCTest

final class VocabularyTests: XCTestCase {
  func testFairseqOrderTiesAndPadding() {
    let counts: [[UInt8]: Int64] = [
      Array("b".utf8): 5, Array("a".utf8): 5, Array("]".utf8): 9, Array("c".utf8): 1,
      Array("é".utf8): 5,
    ]
    let vocabulary = Vocabulary.fairseq(counts: counts)
    let names = vocabulary.symbols.map { String(decoding: $0, as: UTF8.self) }
    XCTAssertEqual(
      names,
      ["<s>", "<pad>", "</s>", "<unk>", "]", "a", "b", "é", "c"]
        + (0..<7).map { "madeupword000\($0)" })
    XCTAssertEqual(
      vocabulary.counts, [0, 0, 0, 0, 9, 5, 5, 5, 1] + [Int64](repeating: 0, count: 7))
    XCTAssertEqual(vocabulary.id(of: Array("b".utf8)), 6)
    XCTAssertNil(vocabulary.id(of: Array("zz".utf8)))
  }

  func testByteVocabulary() {
    let vocabulary = Vocabulary.bytes()
    XCTAssertEqual(vocabulary.count, 264)
    XCTAssertEqual(vocabulary.id(of: Array("65".utf8)), 69)
    XCTAssertEqual(String(decoding: vocabulary.symbols[263], as: UTF8.self), "madeupword0003")
  }
}
