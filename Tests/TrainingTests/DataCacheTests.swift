import Foundation
import TestSupport
import XCTest

/// `train --data-cache DIR`: the node's first rank copies the data file into DIR once (replacing a
/// copy that differs from the original), every rank reads the copy, and training is unchanged.
final class DataCacheTests: XCTestCase {
  let updates = 8

  func testCachedCopyTrainsLikeTheOriginal() throws {
    let f = try TrainingFixture()
    let cache = f.path("cache")
    let copy = cache + "/lo.h5"
    try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
    try Data("stale".utf8).write(to: URL(fileURLWithPath: copy))
    let plain = try SeqboatJob.run(
      ranks: 2, f.train(TrainingFixture.mega, "plain", updates: updates))
    XCTAssertEqual(plain.exitCode, 0, plain.output)
    let cached = try SeqboatJob.run(
      ranks: 2, f.train(TrainingFixture.mega, "cached", updates: updates, ["--data-cache", cache]))
    XCTAssertEqual(cached.exitCode, 0, cached.output)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache), ["lo.h5"])
    XCTAssertEqual(
      FileManager.default.contents(atPath: copy), FileManager.default.contents(atPath: f.data))
    XCTAssertEqual(try f.losses("plain").count, updates)
    assertSameLosses(try f.losses("plain"), try f.losses("cached"), relative: 0)

    // A copy that matches the original (size, modification time) is used as it is.
    let inode = try FileManager.default.attributesOfItem(atPath: copy)[.systemFileNumber]
    let again = try SeqboatJob.run(
      ranks: 2, f.train(TrainingFixture.mega, "again", updates: 2, ["--data-cache", cache]))
    XCTAssertEqual(again.exitCode, 0, again.output)
    let after = try FileManager.default.attributesOfItem(atPath: copy)[.systemFileNumber]
    XCTAssertEqual(after as? Int, inode as? Int, "the matching copy was replaced")
  }

  func testCacheFolderThatCannotBeCreatedIsOneLine() throws {
    let f = try TrainingFixture(count: 60)
    let job = try SeqboatJob.run(
      ranks: nil,
      f.train(TrainingFixture.mega, "refused", updates: 2, ["--data-cache", "/proc/seqboat"]))
    XCTAssertNotEqual(job.exitCode, 0)
    let lines = job.lines(containing: "--data-cache")
    XCTAssertEqual(lines.count, 1, job.output)
    XCTAssertTrue(lines.first?.contains("/proc/seqboat: cannot create the folder") ?? false)
  }
}
