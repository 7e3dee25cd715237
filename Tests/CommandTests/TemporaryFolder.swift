import Foundation
import XCTest

extension XCTestCase {
  /// A new empty folder under the system's temporary directory, removed when the test ends.
  func temporaryFolder(_ prefix: String = "seqboat-command") throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
  }
}
