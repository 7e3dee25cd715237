import XCTest

@testable import TensorBoard

/// CRC-32C against published vectors: the usual check value and RFC 3720's (iSCSI) 32-byte ones;
/// the masked form against TensorBoard's own Python implementation of the mask.
final class CRC32CTests: XCTestCase {
  func testCheckValue() {
    XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
    XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
  }

  func testRFC3720Vectors() {
    XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
    XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
    XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
    XCTAssertEqual(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }), 0x113F_DB5C)
  }

  /// The values tensorboard.compat.tensorflow_stub.pywrap_tensorflow.masked_crc32c gives.
  func testMaskedValues() {
    XCTAssertEqual(CRC32C.masked(Array("123456789".utf8)), 0xC78A_B0E5)
    XCTAssertEqual(CRC32C.masked([UInt8]()), 0xA282_EAD8)
    XCTAssertEqual(CRC32C.masked([UInt8](repeating: 0, count: 8)), 0x0798_0329)
  }
}
