import Foundation
import SwiftProtobuf
import XCTest

@testable import TensorBoard

/// Event files: a version record, then one summary per write; new files never reuse a name.
final class EventFileWriterTests: XCTestCase {
  var folder = ""

  override func setUpWithError() throws {
    folder =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("seqboat-tb-\(UUID().uuidString)").path
  }

  override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

  func events(_ path: String) throws -> [Tensorboard_Event] {
    try readRecords(try Data(contentsOf: URL(fileURLWithPath: path))).map {
      try Tensorboard_Event(serializedBytes: $0)
    }
  }

  func testVersionThenScalars() throws {
    let start = Date(timeIntervalSince1970: 1_700_000_000.25)
    let writer = try EventFileWriter(directory: folder + "/train", now: start)
    let name = URL(fileURLWithPath: writer.path).lastPathComponent
    XCTAssertTrue(name.hasPrefix("events.out.tfevents.1700000000."), name)
    XCTAssertTrue(name.hasSuffix(".\(getpid()).0"), name)
    XCTAssertEqual(try events(writer.path).count, 1, "the version record is written at once")
    try writer.write(scalars: [("loss", 2.5), ("lr", 0)], step: 7, wallTime: 1_700_000_001.5)
    try writer.write(scalars: [("loss", 1.25)], step: 8, wallTime: 1_700_000_002)
    let all = try events(writer.path)
    XCTAssertEqual(all.count, 3)
    XCTAssertEqual(all[0].fileVersion, "brain.Event:2")
    XCTAssertEqual(all[0].wallTime, 1_700_000_000.25)
    XCTAssertEqual(all[1].step, 7)
    XCTAssertEqual(all[1].wallTime, 1_700_000_001.5)
    XCTAssertEqual(all[1].summary.value.map(\.tag), ["loss", "lr"])
    XCTAssertEqual(all[1].summary.value.map(\.simpleValue), [2.5, 0])
    XCTAssertEqual(
      all[1].summary.value[1].value, .simpleValue(0), "a zero is written, not left out")
    XCTAssertEqual(all[2].step, 8)
    XCTAssertEqual(all[2].summary.value.map(\.simpleValue), [1.25])
  }

  func testSecondWriterMakesANewFile() throws {
    let now = Date()
    let first = try EventFileWriter(directory: folder, now: now)
    try first.write(scalars: [("loss", 1)], step: 1, wallTime: 1)
    let before = try Data(contentsOf: URL(fileURLWithPath: first.path))
    let second = try EventFileWriter(directory: folder, now: now)
    XCTAssertNotEqual(first.path, second.path)
    XCTAssertTrue(second.path.hasSuffix(".1"), second.path)
    XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: first.path)), before)
    XCTAssertEqual(try events(second.path).count, 1)
  }

  func testUnusableFolderNamesIt() throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let file = folder + "/plain-file"
    XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data()))
    XCTAssertThrowsError(try EventFileWriter(directory: file + "/train")) { error in
      let failure = error as? EventFileError
      XCTAssertEqual(failure?.path, file + "/train")
      XCTAssertEqual(failure?.action, "create")
      XCTAssertEqual((failure?.underlying as? POSIXError)?.code, .ENOTDIR)
    }
  }
}
