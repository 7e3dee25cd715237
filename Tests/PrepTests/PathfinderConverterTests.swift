import Data
import Foundation
import Prep
import XCTest

final class PathfinderConverterTests: XCTestCase {
  /// Writes `count` images over metadata files 0, 1 and 10 (numeric order differs from
  /// lexicographic); image k has pixel p = (k + p) mod 256 and label k mod 2.
  private func writeTree(
    _ dir: TemporaryDirectory, side: Int = 32, count: Int = 30, channels: Int = 1
  ) throws -> String {
    let root = "pathfinder32/curv_contour_length_14"
    let stems = [10, 0, 1]
    var k = 0
    var lines: [Int: [String]] = [:]
    for stem in stems.sorted() {
      for i in 0..<(count / 3) {
        let grey = (0..<(side * side)).map { UInt8((k + $0) % 256) }
        let samples = channels == 1 ? grey : grey.flatMap { [$0, $0, $0] }
        try dir.write(
          "\(root)/imgs/\(stem)/sample_\(i).png",
          RawFormatWriters.png(width: side, height: side, channels: channels, samples: samples))
        lines[stem, default: []].append("imgs/\(stem) sample_\(i).png \(i) \(k % 2) 1 14 1 1 1 1 2")
        k += 1
      }
    }
    for stem in stems {
      try dir.write(
        "\(root)/metadata/\(stem).npy", text: lines[stem]!.joined(separator: "\n") + "\n")
    }
    return dir.path(root)
  }

  func testConvertsInNumericMetadataOrder() throws {
    let dir = try TemporaryDirectory()
    _ = try writeTree(dir, channels: 3)
    let options = PrepOptions(raw: dir.path("pathfinder32"), out: dir.path("pf.h5"))
    let summary = try PrepTask.pathfinder.convert(options, progress: false)
    XCTAssertEqual(summary.splits.map(\.examples), [24, 3, 3])
    let file = try DatasetFile.open(dir.path("pf.h5"))
    XCTAssertEqual(file.image?.std, 0.5)
    for name in DatasetFormat.splitNames {
      let split = try file.split(name)
      let sources = try split.group.openDataset("source_index").read(as: Int64.self)
      XCTAssertEqual(sources, sources.sorted())
      XCTAssertEqual(split.labels, sources.map { Int32($0 % 2) })
      let k = Int(sources[1])
      XCTAssertEqual(try split.rowValues(rows: [1]), (0..<1024).map { Float((k + $0) % 256) })
    }
  }

  func testEmptyImageIsSkippedAndWrongSizeIsAnError() throws {
    let dir = try TemporaryDirectory()
    let root = try writeTree(dir)
    try dir.write("pathfinder32/curv_contour_length_14/imgs/1/sample_2.png", [])
    let options = PrepOptions(raw: root, out: dir.path("pf.h5"))
    let summary = try PrepTask.pathfinder.convert(options, progress: false)
    XCTAssertEqual(summary.splits.map(\.examples).reduce(0, +), 29)
    let small = try dir.write(
      "pathfinder32/curv_contour_length_14/imgs/0/sample_1.png",
      RawFormatWriters.png(
        width: 16, height: 32, channels: 1, samples: [UInt8](repeating: 9, count: 512)))
    try FileManager.default.removeItem(atPath: dir.path("pf.h5"))
    try assertPrepFails(
      .pathfinder, options, "\(small): png: is 16 x 32, expected 32 x 32", in: dir)
    try dir.write("pathfinder32/curv_contour_length_14/imgs/0/sample_1.png", text: "GIF89a")
    try assertPrepFails(
      .pathfinder, options, "\(small): png: not a PNG file (bad signature)", in: dir)
  }

  /// A PNG whose header fails its chunk checksum, one whose image data fails zlib's check, and
  /// one cut short are each one line naming the image (libpng's reason).
  func testCorruptAndTruncatedPNGs() throws {
    let dir = try TemporaryDirectory()
    let root = try writeTree(dir)
    let options = PrepOptions(raw: root, out: dir.path("pf.h5"))
    let name = "pathfinder32/curv_contour_length_14/imgs/1/sample_4.png"
    let good = RawFormatWriters.png(
      width: 32, height: 32, channels: 1, samples: (0..<1024).map { UInt8($0 % 251) })
    for (offset, reason) in [(8 + 8 + 11, "IHDR: CRC error"), (-30, "IDAT: incorrect data check")] {
      var flipped = good
      flipped[offset < 0 ? good.count + offset : offset] ^= 0x40
      let path = try dir.write(name, flipped)
      try assertPrepFails(.pathfinder, options, "\(path): png: \(reason)", in: dir)
    }
    let path = try dir.write(name, Array(good.prefix(good.count / 2)))
    try assertPrepFails(.pathfinder, options, "\(path): png: file is truncated", in: dir)
  }

  func testPathXSize() throws {
    let dir = try TemporaryDirectory()
    _ = try writeTree(dir, side: 128, count: 12)
    try FileManager.default.moveItem(
      atPath: dir.path("pathfinder32"), toPath: dir.path("pathfinder128"))
    let options = PrepOptions(raw: dir.path("pathfinder128"), out: dir.path("px.h5"))
    let summary = try PrepTask.pathx.convert(options, progress: false)
    XCTAssertEqual(summary.splits.map(\.examples), [10, 1, 1])
    let file = try DatasetFile.open(dir.path("px.h5"))
    XCTAssertEqual(try file.split("train").group.openDataset("pixels").shape, [10, 16_384])
    let batch = try BatchBuilder(file: file).batch(file.split("train"), rows: [0])
    XCTAssertEqual(batch.input.length, 16_384)
  }
}
