import Foundation
import HDF5
import XCTest

final class HDF5FileTests: XCTestCase {
  func testCreateCloseAndReopenReadOnly() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("a.h5")
    let file = try HDF5File.create(path)
    try file.root().setAttribute("answer", int64: 42)
    try file.close()
    let reopened = try HDF5File.open(path)
    XCTAssertEqual(try reopened.root().int64Attribute("answer"), 42)
    XCTAssertThrowsError(try reopened.root().setAttribute("x", int64: 1))
  }

  func testMissingFileIsOneLineNamingTheFile() {
    XCTAssertThrowsError(try HDF5File.open("/nonexistent/dir/x.h5")) { error in
      XCTAssertEqual("\(error)", "/nonexistent/dir/x.h5: file not found")
    }
  }

  func testTextFileIsNotHDF5() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("plain.h5")
    try "hello\n".write(toFile: path, atomically: true, encoding: .utf8)
    XCTAssertThrowsError(try HDF5File.open(path)) { error in
      XCTAssertEqual("\(error)", "\(path): not an HDF5 file")
    }
  }

  func testTruncatedFileGivesOneLineError() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("cut.h5")
    let file = try HDF5File.create(path)
    try file.root().writeDataset("big", [Float](repeating: 1, count: 100_000))
    try file.close()
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
    do {
      let broken = try HDF5File.open(path)
      let values: [Float] = try broken.root().openDataset("big").read()
      XCTFail("read \(values.count) values from a truncated file")
    } catch {
      let text = "\(error)"
      XCTAssertTrue(text.hasPrefix(path + ": "), text)
      XCTAssertFalse(text.contains("\n"), text)
    }
  }

  func testCreateInMissingDirectoryFails() {
    XCTAssertThrowsError(try HDF5File.create("/nonexistent/dir/y.h5")) { error in
      XCTAssertEqual("\(error)", "/nonexistent/dir/y.h5: cannot create file")
    }
  }
}
