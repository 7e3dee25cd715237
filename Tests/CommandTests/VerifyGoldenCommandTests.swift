import Foundation
import XCTest

/// `seqboat verify-golden` as a user runs it: the built executable, real golden files.
final class VerifyGoldenCommandTests: XCTestCase {
  private var executable: URL {
    Bundle.main.executableURL!.deletingLastPathComponent().appendingPathComponent("seqboat")
  }

  private var goldenDirectory: URL {
    if let dir = ProcessInfo.processInfo.environment["SEQBOAT_GOLDEN_DIR"] {
      return URL(fileURLWithPath: dir)
    }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/golden")
  }

  private func run(_ arguments: [String]) throws -> (status: Int32, lines: [String]) {
    let process = Process()
    process.executableURL = executable
    process.arguments = ["verify-golden"] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    return (process.terminationStatus, text.split(separator: "\n").map(String.init))
  }

  func testPassingFilesPrintOneLinePerTensorAndExitZero() throws {
    let file = goldenDirectory.appendingPathComponent("norm_batchnorm_train.h5").path
    let (status, lines) = try run([file])
    XCTAssertEqual(status, 0, lines.joined(separator: "\n"))
    XCTAssertEqual(lines.count, 7 + 2)
    XCTAssertTrue(
      lines.contains {
        $0.hasPrefix("norm_batchnorm_train /outputs/running_var err=") && $0.hasSuffix(" ok")
      })
    XCTAssertEqual(lines[lines.count - 2], "norm_batchnorm_train ok (7 tensors)")
    XCTAssertEqual(lines.last, "1 passed, 0 failed")
  }

  func testBadFileExitsNonZeroWithOneLineNamingIt() throws {
    let bad = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(getpid()).h5")
      .path
    try "garbage".write(toFile: bad, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: bad) }
    let good = goldenDirectory.appendingPathComponent("norm_rmsnorm.h5").path
    let (status, lines) = try run([bad, good])
    XCTAssertNotEqual(status, 0)
    XCTAssertTrue(lines[0].hasPrefix(bad + ": cannot open as HDF5"), lines[0])
    XCTAssertEqual(lines.last, "1 passed, 1 failed")
  }
}
