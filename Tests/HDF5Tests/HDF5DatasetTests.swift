import Foundation
import HDF5
import XCTest

final class HDF5DatasetTests: XCTestCase {
  func testEveryTypeRoundTripsAndConvertsFromStoredType() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("d.h5")
    let file = try HDF5File.create(path)
    let root = try file.root()
    try root.writeDataset("f32", [Float(1.5), -2, 3.25])
    try root.writeDataset("f64", [Double(0.1), 1e300])
    try root.writeDataset("i64", [Int64.min, 0, Int64.max])
    try root.writeDataset("i32", [Int32(-5), 70_000])
    try root.writeDataset("u8", [UInt8(0), 255])
    try root.writeDataset("u16", [UInt16(65_535), 3, 4, 5, 6, 7], shape: [2, 3])
    try root.writeDataset("i16", [Int16(-32_768), 32_767])
    try file.close()

    let reader = try HDF5File.open(path).root()
    XCTAssertEqual(try reader.openDataset("f32").read(as: Float.self), [1.5, -2, 3.25])
    XCTAssertEqual(try reader.openDataset("f64").read(as: Double.self), [0.1, 1e300])
    XCTAssertEqual(try reader.openDataset("i64").read(as: Int64.self), [Int64.min, 0, Int64.max])
    XCTAssertEqual(try reader.openDataset("i32").read(as: Int32.self), [-5, 70_000])
    XCTAssertEqual(try reader.openDataset("u8").read(as: UInt8.self), [0, 255])
    let u16 = try reader.openDataset("u16")
    XCTAssertEqual(u16.shape, [2, 3])
    XCTAssertEqual(u16.elementClass, .integer(size: 2, signed: false))
    XCTAssertEqual(try u16.read(as: Int32.self), [65_535, 3, 4, 5, 6, 7])
    XCTAssertEqual(try u16.read(as: Int64.self), [65_535, 3, 4, 5, 6, 7])
    XCTAssertEqual(try u16.read(as: Float.self), [65_535, 3, 4, 5, 6, 7])
    XCTAssertEqual(try reader.openDataset("i16").read(as: Float.self), [-32_768, 32_767])
    XCTAssertEqual(try reader.openDataset("i32").read(as: Double.self), [-5, 70_000])
    XCTAssertEqual(try reader.openDataset("f64").elementClass, .float(size: 8))
    XCTAssertEqual(try reader.openDataset("i16").elementClass.description, "int16")
  }

  func testChunkedCompressedRowWritesAndHyperslabReads() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("rows.h5")
    let file = try HDF5File.create(path)
    let pixels = try file.root().createDataset(
      "pixels", of: UInt8.self, shape: [10, 4], chunk: [64, 1024], compress: true)
    for row in stride(from: 0, to: 10, by: 3) {
      let count = min(3, 10 - row)
      let values = (row..<(row + count)).flatMap { r in (0..<4).map { UInt8(r * 10 + $0) } }
      try pixels.write(values, atRow: row)
    }
    try file.close()

    let dataset = try HDF5File.open(path).root().openDataset("pixels")
    XCTAssertEqual(dataset.rowSize, 4)
    let expectedRow = { (r: Int) in (0..<4).map { Int32(r * 10 + $0) } }
    XCTAssertEqual(
      try dataset.read(rows: [7, 2, 7, 9], as: Int32.self),
      [7, 2, 7, 9].flatMap(expectedRow))
    XCTAssertEqual(
      try dataset.read(ranges: [1..<3, 5..<6], as: Int32.self),
      [1, 2, 5].flatMap(expectedRow))
    XCTAssertEqual(try dataset.read(rows: [], as: Float.self), [])
    XCTAssertThrowsError(try dataset.read(ranges: [5..<6, 1..<3], as: Float.self)) { error in
      XCTAssertTrue("\(error)".hasPrefix("\(path): /pixels: row ranges must be sorted"))
    }
    XCTAssertThrowsError(try dataset.read(rows: [10], as: Float.self))
  }

  /// A checksummed dataset (Fletcher-32, one chunk) reads back; one flipped byte of its stored
  /// values makes the read fail naming the dataset and the checksum.
  func testChecksumCatchesAFlippedByte() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("sum.h5")
    let values = (0..<500).map { Float($0) * 0.25 + 1 }
    let file = try HDF5File.create(path)
    try file.root().writeDataset("w", values, shape: [20, 25], checksum: true)
    try file.root().writeDataset("plain", values)
    try file.close()
    let reader = try HDF5File.open(path).root()
    XCTAssertTrue(try reader.openDataset("w").isChecksummed)
    XCTAssertFalse(try reader.openDataset("plain").isChecksummed)
    XCTAssertEqual(try reader.openDataset("w").read(as: Float.self), values)

    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let stored = values.withUnsafeBytes { [UInt8]($0) }
    let starts = (0...(bytes.count - stored.count)).filter {
      bytes[$0] == stored[0] && Array(bytes[$0..<($0 + stored.count)]) == stored
    }
    XCTAssertEqual(starts.count, 2, "the values are stored twice, uncompressed")
    bytes[starts[0] + 401] ^= 0x10
    bytes[starts[1] + 401] ^= 0x10
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let corrupt = try HDF5File.open(path).root()
    XCTAssertThrowsError(try corrupt.openDataset("w").read(as: Float.self)) {
      XCTAssertEqual("\($0)", "\(path): /w: fails its Fletcher-32 checksum (corrupt data)")
    }
    XCTAssertNotEqual(try corrupt.openDataset("plain").read(as: Float.self), values)
  }

  func testWrongCountsAreErrors() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("w.h5")
    let root = try HDF5File.create(path).root()
    XCTAssertThrowsError(try root.writeDataset("x", [Float(1), 2, 3], shape: [2, 2])) { error in
      XCTAssertEqual("\(error)", "\(path): /x: 3 values do not fill shape [2, 2]")
    }
    let d = try root.createDataset("y", of: Int64.self, shape: [4, 2])
    XCTAssertThrowsError(try d.write([Int64(1), 2, 3], atRow: 0))
    XCTAssertThrowsError(try d.write([Int64(1), 2], atRow: 4))
    XCTAssertThrowsError(try d.write([Int64(1)]))
  }

  func testEmptyDatasetHasShapeZero() throws {
    let dir = try TemporaryDirectory()
    let root = try HDF5File.create(dir.path("e.h5")).root()
    let empty = try root.writeDataset("empty", [Int32](), chunk: [16])
    XCTAssertEqual(empty.shape, [0])
    XCTAssertEqual(try empty.read(as: Int32.self), [])
  }
}
