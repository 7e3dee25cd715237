import HDF5
import XCTest

final class HDF5GroupTests: XCTestCase {
  func testCreateListExistsAndKinds() throws {
    let dir = try TemporaryDirectory()
    let file = try HDF5File.create(dir.path("g.h5"))
    let root = try file.root()
    let train = try root.createGroup("train")
    _ = try root.createGroup("vocab/inner")
    try train.writeDataset("labels", [Int32(1), 0, 1])
    XCTAssertEqual(try root.memberNames(), ["train", "vocab"])
    XCTAssertEqual(try train.memberNames(), ["labels"])
    XCTAssertTrue(root.exists("train/labels"))
    XCTAssertTrue(root.exists("/vocab/inner"))
    XCTAssertFalse(root.exists("vocab/missing/deeper"))
    XCTAssertFalse(root.exists("nothing"))
    XCTAssertEqual(root.kind(of: "train"), .group)
    XCTAssertEqual(root.kind(of: "train/labels"), .dataset)
    XCTAssertEqual(try root.openGroup("vocab").openGroup("inner").path, "/vocab/inner")
    XCTAssertEqual(try train.openDataset("labels").path, "/train/labels")
  }

  func testSoftLinkResolvesAndDanglingLinkDoesNotExist() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("s.h5")
    let file = try HDF5File.create(path)
    let root = try file.root()
    try root.createGroup("test").writeDataset("labels", [Int32(7)])
    try root.createSoftLink("valid", target: "/test")
    try root.createSoftLink("dangling", target: "/nowhere")
    try file.close()
    let reopened = try HDF5File.open(path).root()
    XCTAssertEqual(try reopened.openGroup("valid").openDataset("labels").read(as: Int32.self), [7])
    XCTAssertFalse(reopened.exists("dangling"))
  }

  func testMissingMembersNameFileAndPath() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("m.h5")
    let root = try HDF5File.create(path).root()
    try root.createGroup("train").writeDataset("x", [UInt8(1)])
    XCTAssertThrowsError(try root.openGroup("valid")) { error in
      XCTAssertEqual("\(error)", "\(path): group /valid missing")
    }
    XCTAssertThrowsError(try root.openDataset("train/tokens")) { error in
      XCTAssertEqual("\(error)", "\(path): dataset /train/tokens missing")
    }
    XCTAssertThrowsError(try root.openDataset("train")) { error in
      XCTAssertEqual("\(error)", "\(path): /train: is not a dataset")
    }
    XCTAssertThrowsError(try root.openGroup("train/x")) { error in
      XCTAssertEqual("\(error)", "\(path): /train/x: is not a group")
    }
  }
}
