import Foundation
import TestSupport
import XCTest

/// `seqboat prep` and `seqboat inspect` run as a user runs them: the built executable.
final class PrepCommandTests: XCTestCase {
  private struct Result {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  private func seqboat(_ arguments: [String]) throws -> Result {
    let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let process = Process()
    process.executableURL = folder.appendingPathComponent("seqboat")
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: stderr, as: UTF8.self))
  }

  func testGenerateThenInspect() throws {
    let dir = try temporaryFolder()
    let out = dir.appendingPathComponent("listops.h5").path
    let prep = try seqboat([
      "prep", "listops", "--generate", "60", "--min-len", "5", "--max-len", "30", "--seed", "1",
      "--out", out,
    ])
    XCTAssertEqual(prep.status, 0, prep.stderr)
    XCTAssertTrue(prep.stdout.contains("train: 60 examples"), prep.stdout)
    XCTAssertTrue(prep.stdout.contains("valid: 2 examples"), prep.stdout)
    XCTAssertTrue(prep.stdout.contains("vocabulary: 24 symbols"), prep.stdout)
    let inspect = try seqboat(["inspect", out])
    XCTAssertEqual(inspect.status, 0, inspect.stderr)
    XCTAssertTrue(inspect.stdout.contains("task listops"), inspect.stdout)
    XCTAssertTrue(inspect.stdout.contains("vocab_size = 24"), inspect.stdout)
    XCTAssertTrue(inspect.stdout.contains("split train: 60 examples"), inspect.stdout)
    XCTAssertTrue(inspect.stdout.contains("/test/tokens: uint16"), inspect.stdout)
  }

  /// `prep listops --generate` reports progress on a non-terminal stderr: with
  /// SEQBOAT_PROGRESS_SECONDS=0 a line per example (count, time left), the last one final.
  func testGenerateReportsProgress() throws {
    let dir = try temporaryFolder()
    let result = try ScriptRunner.run(
      [
        try SeqboatJob.executable().path, "prep", "listops", "--generate", "48", "--min-len", "5",
        "--max-len", "30", "--out", dir.appendingPathComponent("g.h5").path,
      ], environment: ["SEQBOAT_PROGRESS_SECONDS": "0"])
    XCTAssertEqual(result.status, 0, result.stderr)
    let lines = result.stderr.split(separator: "\n").filter {
      $0.hasPrefix("listops --generate: ")
    }
    XCTAssertEqual(lines.count, 50, result.stderr)
    XCTAssertTrue(lines.first?.hasPrefix("listops --generate: 1/50 examples (2%), ETA ") ?? false)
    XCTAssertTrue(lines.last?.hasPrefix("listops --generate: 50/50 examples (100%), ") ?? false)
  }

  func testBadInputIsOneLineNonZeroAndLeavesNoFile() throws {
    let dir = try temporaryFolder()
    let raw = dir.appendingPathComponent("raw")
    try FileManager.default.createDirectory(at: raw, withIntermediateDirectories: true)
    for name in ["basic_train", "basic_val", "basic_test"] {
      try "Source\tTarget\r\n( ( ( [MAX 2 ) 9 ) ] )\t12\r\n".write(
        to: raw.appendingPathComponent("\(name).tsv"), atomically: true, encoding: .utf8)
    }
    let out = dir.appendingPathComponent("bad.h5").path
    let result = try seqboat(["prep", "listops", "--raw", raw.path, "--out", out, "--quiet"])
    XCTAssertNotEqual(result.status, 0)
    let lines = result.stderr.split(separator: "\n")
    XCTAssertEqual(lines.count, 1, result.stderr)
    XCTAssertTrue(
      result.stderr.contains("\(raw.path)/basic_train.tsv: line 2: Target \"12\" is not 0..9"),
      result.stderr)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["raw"])
  }

  func testInspectRejectsCorruptedFile() throws {
    let dir = try temporaryFolder()
    let path = dir.appendingPathComponent("x.h5").path
    try "not hdf5".write(toFile: path, atomically: true, encoding: .utf8)
    let result = try seqboat(["inspect", path])
    XCTAssertNotEqual(result.status, 0)
    XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
    XCTAssertTrue(result.stderr.contains("\(path): not an HDF5 file"), result.stderr)
    let unknown = try seqboat(["prep", "imagenet", "--raw", dir.path, "--out", path])
    XCTAssertNotEqual(unknown.status, 0)
  }
}
