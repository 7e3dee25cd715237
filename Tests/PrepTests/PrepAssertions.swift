import Data
import Prep
import XCTest

/// Runs `task` on `options` and checks it fails with exactly `message` and leaves no output
/// (nor a temporary file) behind.
func assertPrepFails(
  _ task: PrepTask, _ options: PrepOptions, _ message: String, in dir: TemporaryDirectory,
  file: StaticString = #filePath, line: UInt = #line
) throws {
  let before = try dir.names()
  XCTAssertThrowsError(try task.convert(options, progress: false), file: file, line: line) {
    XCTAssertEqual("\($0)", message, file: file, line: line)
    XCTAssertFalse("\($0)".contains("\n"), file: file, line: line)
  }
  XCTAssertEqual(try dir.names(), before, "output left behind", file: file, line: line)
}

/// The token sequences of every example of `split`.
func allSequences(_ split: DatasetSplit, second: Bool = false) throws -> [[Int32]] {
  try split.sequences(rows: Array(0..<split.count), second: second)
}
