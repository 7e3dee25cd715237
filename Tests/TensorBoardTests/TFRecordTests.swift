import Foundation
import XCTest

@testable import TensorBoard

/// The framing byte by byte: length, masked checksums, data.
final class TFRecordTests: XCTestCase {
  func testLayoutOfOneRecord() {
    let data = Data("123456789".utf8)
    let record = [UInt8](TFRecord.frame(data))
    XCTAssertEqual(record.count, 8 + 4 + 9 + 4)
    XCTAssertEqual(Array(record[0..<8]), [9, 0, 0, 0, 0, 0, 0, 0])
    let lengthCRC = CRC32C.masked([9, 0, 0, 0, 0, 0, 0, 0] as [UInt8])
    XCTAssertEqual(Array(record[8..<12]), TFRecord.littleEndianBytes(lengthCRC))
    XCTAssertEqual(Array(record[12..<21]), Array(data))
    // 0xC78AB0E5, the masked CRC-32C of "123456789", least significant byte first.
    XCTAssertEqual(Array(record[21..<25]), [0xE5, 0xB0, 0x8A, 0xC7])
  }

  func testRecordsReadBack() throws {
    let payloads = [Data(), Data([1, 2, 3]), Data(repeating: 7, count: 1000)]
    let file = payloads.map(TFRecord.frame).reduce(Data(), +)
    XCTAssertEqual(try readRecords(file), payloads)
  }

  /// One flipped bit in the data no longer matches the stored checksum.
  func testChecksumCoversTheData() {
    var record = [UInt8](TFRecord.frame(Data("abc".utf8)))
    let stored = Array(record[15..<19])
    record[13] ^= 1
    XCTAssertNotEqual(TFRecord.littleEndianBytes(CRC32C.masked(record[12..<15])), stored)
  }
}
