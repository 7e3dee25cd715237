import Data
import Prep
import XCTest

final class ListOpsGeneratorTests: XCTestCase {
  func testGeneratedExamplesAreDistinctInRangeAndCorrect() throws {
    var generator = ListOpsGenerator(seed: 9)
    let examples = try generator.generate(count: 300, minLength: 10, maxLength: 40)
    XCTAssertEqual(Set(examples).count, 300)
    for example in examples {
      XCTAssertTrue(example.tokens.count > 10 && example.tokens.count < 40)
      XCTAssertEqual(example.value, evaluate(example.tokens))
    }
    var again = ListOpsGenerator(seed: 9)
    XCTAssertEqual(try again.generate(count: 300, minLength: 10, maxLength: 40), examples)
  }

  /// An independent evaluator over the prefix form with `]` closers.
  private func evaluate(_ tokens: [String]) -> Int {
    var stack: [(String, [Int])] = []
    var result = -1
    for token in tokens {
      if token.hasPrefix("[") {
        stack.append((token, []))
        continue
      }
      var value: Int
      if token == "]" {
        let (op, args) = stack.removeLast()
        let sorted = args.sorted()
        switch op {
        case "[MIN": value = sorted.first!
        case "[MAX": value = sorted.last!
        case "[MED":
          let m = sorted.count / 2
          value = sorted.count % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2
        default: value = args.reduce(0, +) % 10
        }
      } else {
        value = Int(token)!
      }
      if stack.isEmpty { result = value } else { stack[stack.count - 1].1.append(value) }
    }
    return result
  }

  func testSourceTextMatchesTheLRAForm() {
    XCTAssertEqual(
      ListOpsGenerator.sourceText(["[MAX", "2", "9", "]"]), "( ( ( [MAX 2 ) 9 ) ] )")
    XCTAssertEqual(
      ListOpsGenerator.sourceText(["[SM", "2", "[MIN", "3", "4", "]", "]"]),
      "( ( ( [SM 2 ) ( ( ( [MIN 3 ) 4 ) ] ) ) ] )")
  }

  /// Generated files equal what the converter makes of the same examples written as TSV.
  func testGeneratedFileMatchesConvertedTSV() throws {
    let dir = try TemporaryDirectory()
    var options = PrepOptions(raw: "", out: dir.path("gen.h5"))
    let summary = try ListOpsGenerator.write(
      count: 96, minLength: 10, maxLength: 30, seed: 4, options: options)
    XCTAssertEqual(summary.splits.map(\.examples), [96, 2, 2])
    var generator = ListOpsGenerator(seed: 4)
    let examples = try generator.generate(count: 100, minLength: 10, maxLength: 30)
    for (name, range) in [
      ("basic_train", 0..<96), ("basic_val", 96..<98), ("basic_test", 98..<100),
    ] {
      let rows = examples[range].map { ListOpsGenerator.sourceText($0.tokens) + "\t\($0.value)" }
      try dir.write("raw/\(name).tsv", text: (["Source\tTarget"] + rows).joined(separator: "\r\n"))
    }
    options = PrepOptions(raw: dir.path("raw"), out: dir.path("conv.h5"))
    options.maxLength = 30
    _ = try PrepTask.listops.convert(options, progress: false)
    let generated = try DatasetFile.open(dir.path("gen.h5"))
    let converted = try DatasetFile.open(dir.path("conv.h5"))
    XCTAssertEqual(try generated.vocabularySymbols(), try converted.vocabularySymbols())
    for name in DatasetFormat.splitNames {
      XCTAssertEqual(
        try allSequences(generated.split(name)), try allSequences(converted.split(name)))
      XCTAssertEqual(try generated.split(name).labels, try converted.split(name).labels)
    }
  }
}
