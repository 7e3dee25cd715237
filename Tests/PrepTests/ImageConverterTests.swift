import Data
import Foundation
import Prep
import XCTest

final class ImageConverterTests: XCTestCase {
  /// Image i of a batch: red = i + p mod 256, green = 2p mod 256, blue = 255 − (p mod 256).
  private func batch(_ count: Int, offset: Int) -> (pixels: [UInt8], labels: [Int]) {
    var pixels: [UInt8] = []
    for i in 0..<count {
      pixels += (0..<1024).map { UInt8((i + offset + $0) % 256) }
      pixels += (0..<1024).map { UInt8((2 * $0) % 256) }
      pixels += (0..<1024).map { UInt8(255 - $0 % 256) }
    }
    return (pixels, (0..<count).map { ($0 + offset) % 10 })
  }

  private func expectedGrey(_ i: Int) -> [UInt8] {
    (0..<1024).map { p in
      let r = (i + p) % 256
      let g = (2 * p) % 256
      let b = 255 - p % 256
      return UInt8((19_595 * r + 38_470 * g + 7_471 * b + 32_768) >> 16)
    }
  }

  private func writeBatches(_ dir: TemporaryDirectory, binary: Bool) throws {
    for (index, name) in [
      "data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4",
      "data_batch_5", "test_batch",
    ].enumerated() {
      let (pixels, labels) = batch(4, offset: index * 4)
      if binary {
        var bytes: [UInt8] = []
        for image in 0..<4 {
          bytes.append(UInt8(labels[image]))
          bytes += pixels[(image * 3072)..<((image + 1) * 3072)]
        }
        try dir.write("cifar-10-batches-bin/\(name).bin", bytes)
      } else {
        try dir.write(
          "cifar-10-batches-py/\(name)",
          RawFormatWriters.cifarPickle(pixels: pixels, labels: labels))
      }
    }
  }

  func testPickleAndBinaryLayoutsGiveTheSameFile() throws {
    var contents: [[[Float]]] = []
    for binary in [false, true] {
      let dir = try TemporaryDirectory()
      try writeBatches(dir, binary: binary)
      let options = PrepOptions(raw: dir.url.path, out: dir.path("image.h5"))
      let summary = try PrepTask.image.convert(options, progress: false)
      XCTAssertEqual(summary.splits.map(\.examples), [18, 2, 4])
      let file = try DatasetFile.open(dir.path("image.h5"))
      XCTAssertEqual(file.image?.mean, 0.48)
      XCTAssertEqual(try file.classNames().first, "airplane")
      let train = try file.split("train")
      let valid = try file.split("valid")
      let trainSources = try train.group.openDataset("source_index").read(as: Int64.self)
      let validSources = try valid.group.openDataset("source_index").read(as: Int64.self)
      XCTAssertEqual((trainSources + validSources).sorted(), (0..<20).map { Int64($0) })
      XCTAssertEqual(trainSources, trainSources.sorted())
      XCTAssertEqual(train.labels, trainSources.map { Int32($0 % 10) })
      let rows = try train.rowValues(rows: [0])
      XCTAssertEqual(rows, expectedGrey(Int(trainSources[0])).map { Float($0) })
      XCTAssertEqual(
        try file.split("test").rowValues(rows: [3]), expectedGrey(23).map { Float($0) })
      XCTAssertEqual(try train.group.openDataset("pixels").shape, [18, 1024])
      contents.append(
        try DatasetFormat.splitNames.map { try file.split($0).rowValues(rows: [0, 1]) })
    }
    XCTAssertEqual(contents[0], contents[1])
  }

  func testSplitIndicesChooseValidation() throws {
    let dir = try TemporaryDirectory()
    try writeBatches(dir, binary: true)
    try dir.write("valid.txt", text: "7\n3\n")
    var options = PrepOptions(raw: dir.path("cifar-10-batches-bin"), out: dir.path("image.h5"))
    options.splitIndices = dir.path("valid.txt")
    _ = try PrepTask.image.convert(options, progress: false)
    let valid = try DatasetFile.open(dir.path("image.h5")).split("valid")
    XCTAssertEqual(try valid.group.openDataset("source_index").read(as: Int64.self), [3, 7])
  }

  func testBadPickleOpcodeAndBadBinarySize() throws {
    let dir = try TemporaryDirectory()
    try writeBatches(dir, binary: false)
    var bytes = RawFormatWriters.cifarPickle(
      pixels: [UInt8](repeating: 0, count: 3072), labels: [1])
    bytes.insert(0xFF, at: 2)
    let path = try dir.write("cifar-10-batches-py/data_batch_3", bytes)
    let options = PrepOptions(raw: dir.url.path, out: dir.path("image.h5"))
    try assertPrepFails(.image, options, "\(path): byte 2: unsupported pickle opcode 0xFF", in: dir)
    let other = try TemporaryDirectory()
    try writeBatches(other, binary: true)
    let bin = try other.write(
      "cifar-10-batches-bin/test_batch.bin", [UInt8](repeating: 1, count: 3074))
    try assertPrepFails(
      .image, PrepOptions(raw: other.url.path, out: other.path("i.h5")),
      "\(bin): size: 3074 bytes is not a multiple of 3,073-byte records", in: other)
  }
}
