import HDF5
import XCTest

final class HDF5AttributeTests: XCTestCase {
  func testAttributesRoundTripOnGroupsAndDatasets() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("a.h5")
    let file = try HDF5File.create(path)
    let root = try file.root()
    try root.setAttribute("format", string: "seqboat-hdf5")
    try root.setAttribute("format_version", int64: 1)
    try root.setAttribute("pixel_mean", double: 0.48)
    try root.setAttribute("class_counts", int64s: [3, 0, 5])
    try root.setAttribute("stats", doubles: [0.5, -1])
    try root.setAttribute("unicode", string: "naïve – ok")
    try root.setAttribute("empty", string: "")
    try root.setAttribute("format_version", int64: 2)
    let labels = try root.writeDataset("labels", [Int32(0)])
    try labels.setAttribute("note", string: "x")
    try file.close()

    let reader = try HDF5File.open(path).root()
    XCTAssertEqual(
      try reader.attributeNames(),
      ["class_counts", "empty", "format", "format_version", "pixel_mean", "stats", "unicode"])
    XCTAssertEqual(try reader.stringAttribute("format"), "seqboat-hdf5")
    XCTAssertEqual(try reader.int64Attribute("format_version"), 2)
    XCTAssertEqual(try reader.doubleAttribute("pixel_mean"), 0.48)
    XCTAssertEqual(try reader.doubleAttribute("format_version"), 2)
    XCTAssertEqual(try reader.int64ArrayAttribute("class_counts"), [3, 0, 5])
    XCTAssertEqual(try reader.attributeValues("stats", as: Double.self), [0.5, -1])
    XCTAssertEqual(try reader.stringAttribute("unicode"), "naïve – ok")
    XCTAssertEqual(try reader.stringAttribute("empty"), "")
    XCTAssertTrue(reader.hasAttribute("stats"))
    XCTAssertFalse(reader.hasAttribute("nope"))
    let info = try reader.attributeInfo("class_counts")
    XCTAssertEqual(info.elementClass, .integer(size: 8, signed: true))
    XCTAssertEqual(info.count, 3)
    XCTAssertEqual(try reader.attributeInfo("format").elementClass, .string)
    XCTAssertEqual(try reader.openDataset("labels").stringAttribute("note"), "x")
  }

  func testAttributeErrorsNameFileObjectAndAttribute() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("b.h5")
    let root = try HDF5File.create(path).root()
    try root.setAttribute("counts", int64s: [1, 2])
    try root.setAttribute("name", string: "x")
    XCTAssertThrowsError(try root.int64Attribute("missing")) { error in
      XCTAssertEqual("\(error)", "\(path): attribute /@missing missing")
    }
    XCTAssertThrowsError(try root.int64Attribute("counts")) { error in
      XCTAssertEqual("\(error)", "\(path): /@counts: holds 2 values, expected one")
    }
    XCTAssertThrowsError(try root.int64Attribute("name")) { error in
      XCTAssertEqual("\(error)", "\(path): /@name: holds string, expected numbers")
    }
    XCTAssertThrowsError(try root.stringAttribute("counts")) { error in
      XCTAssertEqual("\(error)", "\(path): /@counts: is not a string")
    }
  }
}
