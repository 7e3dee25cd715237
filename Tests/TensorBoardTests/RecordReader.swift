import Foundation
import XCTest

@testable import TensorBoard

/// Splits a TFRecord file's bytes into its records' data, checking each length and both masked
/// checksums (a test-side reader, written from the format, not from the writer's code).
func readRecords(_ bytes: Data, file: StaticString = #filePath, line: UInt = #line) throws
  -> [Data]
{
  let b = [UInt8](bytes)
  func littleEndian(_ at: Int, _ count: Int) -> UInt64 {
    (0..<count).reduce(UInt64(0)) { $0 | UInt64(b[at + $1]) << (8 * $1) }
  }
  var records: [Data] = []
  var at = 0
  while at < b.count {
    guard at + 12 <= b.count else {
      XCTFail("truncated header at byte \(at)", file: file, line: line)
      break
    }
    let length = Int(littleEndian(at, 8))
    XCTAssertEqual(
      UInt32(littleEndian(at + 8, 4)), CRC32C.masked(b[at..<at + 8]), "length checksum",
      file: file, line: line)
    guard at + 12 + length + 4 <= b.count else {
      XCTFail("truncated record at byte \(at)", file: file, line: line)
      break
    }
    let data = b[at + 12..<at + 12 + length]
    XCTAssertEqual(
      UInt32(littleEndian(at + 12 + length, 4)), CRC32C.masked(data), "data checksum",
      file: file, line: line)
    records.append(Data(data))
    at += 12 + length + 4
  }
  return records
}
