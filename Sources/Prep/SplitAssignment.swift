import Data

/// Which split each example of a list goes to: 0 train, 1 valid, 2 test.
enum SplitAssignment {
  /// `valid` and `test` examples chosen by the seeded permutation of `0..<count` (the first
  /// `valid` of it to valid, the next `test` to test), the rest train; or, when `indices` is
  /// given, exactly the listed examples.
  static func carveOut(
    count: Int, valid: Int, test: Int, seed: Int64, indices: SplitIndices?
  ) throws -> [Int] {
    var assignment = [Int](repeating: 0, count: count)
    if let indices {
      for index in indices.valid { assignment[index] = 1 }
      for index in indices.test { assignment[index] = 2 }
      return assignment
    }
    let order = EpochOrder.permutation(
      count: count, seed: UInt64(bitPattern: seed), epoch: 0, purpose: .validationCarveOut)
    for index in order[0..<valid] { assignment[index] = 1 }
    for index in order[valid..<(valid + test)] { assignment[index] = 2 }
    return assignment
  }
}

/// Explicit split membership from `--split-indices FILE`: one index per line, either a bare
/// number (a validation index) or `valid N` / `test N`; blank lines are ignored.
struct SplitIndices {
  var valid: [Int] = []
  var test: [Int] = []

  /// Reads `path`, checking every index against `0..<count` and, unless `allowTest`, that no
  /// line names the test split.
  init(path: String, count: Int, allowTest: Bool) throws {
    var seen = Set<Int>()
    for (row, line) in RawFiles.lines(try RawFiles.bytes(path)).enumerated() {
      let words = RawFiles.text(line).split(whereSeparator: \.isWhitespace)
      if words.isEmpty { continue }
      let location = "line \(row + 1)"
      let isTest = words.count == 2 && words[0] == "test"
      guard words.count == 1 || (words.count == 2 && (words[0] == "valid" || isTest)),
        let index = Int(words[words.count - 1])
      else {
        throw DataError(file: path, field: location, "expected an index, \"valid N\" or \"test N\"")
      }
      guard !isTest || allowTest else {
        throw DataError(file: path, field: location, "this task takes validation indices only")
      }
      guard (0..<count).contains(index) else {
        throw DataError(file: path, field: location, "index \(index) is outside 0..<\(count)")
      }
      guard seen.insert(index).inserted else {
        throw DataError(file: path, field: location, "index \(index) is listed twice")
      }
      if isTest { test.append(index) } else { valid.append(index) }
    }
  }
}
