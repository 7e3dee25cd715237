import Fairseq
import Foundation
import TestSupport
import XCTest

/// Malformed or unsupported checkpoints given to `seqboat import-fairseq`: each is one line, a
/// non-zero exit, no output file (nor a temporary), and nothing named in the file is run.
final class FairseqMalformedTests: XCTestCase {
  /// Runs the import of `input` (with the ListOps dictionary) into a fresh folder and checks the
  /// refusal; returns its one line.
  @discardableResult
  private func refused(_ input: URL, dict: String = "mega_lra_listops.dict.txt") throws -> String {
    let folder = try FairseqFixtures.scratch(for: self)
    let out = folder.appendingPathComponent("model.h5")
    let job = try SeqboatJob.run(
      ranks: nil,
      ["import-fairseq", input.path, "--dict", FairseqFixtures.path(dict), "--out", out.path])
    XCTAssertNotEqual(job.exitCode, 0, job.output)
    let lines = job.output.split(separator: "\n")
    XCTAssertEqual(lines.count, 1, job.output)
    XCTAssertTrue(job.output.contains(input.path), "names the file: \(job.output)")
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    return job.output
  }

  private func file(_ bytes: [UInt8], _ name: String) throws -> URL {
    let url = try FairseqFixtures.scratch(for: self).appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url
  }

  private func fixtureBytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: FairseqFixtures.path(name))))
  }

  func testTruncatedZip() throws {
    let bytes = try fixtureBytes("mega_lra_listops.pt")
    let line = try refused(try file(Array(bytes.prefix(bytes.count * 6 / 10)), "cut.pt"))
    XCTAssertTrue(line.contains("zip"), line)
  }

  func testTruncatedLegacyStream() throws {
    let bytes = try fixtureBytes("mega_lra_listops.legacy.pt")
    for fraction in [3, 7, 9] {
      let line = try refused(
        try file(Array(bytes.prefix(bytes.count * fraction / 10)), "cut\(fraction).pt"))
      XCTAssertTrue(line.contains("truncated") || line.contains("bytes"), line)
    }
  }

  func testAGlobalOutsideTheAllowedSetIsNeverRun() throws {
    let marker = try FairseqFixtures.scratch(for: self).appendingPathComponent("ran")
    // The fixture's legacy header (magic, protocol, sys_info), then a pickle calling
    // posix.system('touch MARKER').
    let legacy = try fixtureBytes("mega_lra_listops.legacy.pt")
    var header = Array(legacy.prefix(137))
    let command = Array("touch \(marker.path)".utf8)
    header += [0x80, 2, 0x63] + Array("posix\nsystem\n".utf8) + [0x58]
    header += (0..<4).map { UInt8(truncatingIfNeeded: command.count >> (8 * $0)) } + command
    header += [0x85, 0x52, 0x2E]
    let line = try refused(try file(header, "evil.pt"))
    XCTAssertTrue(line.contains("global 'posix system' is not allowed"), line)
    XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path))
  }

  func testAStorageTooShort() throws {
    let edited = try FairseqFixtures.scratch(for: self).appendingPathComponent("short.pt")
    try FairseqFixtures.rewriteZip(FairseqFixtures.path("mega_lra_listops.pt"), to: edited) {
      $0.hasSuffix("/data/0") ? $1.prefix($1.count / 2) : $1
    }
    let line = try refused(edited)
    XCTAssertTrue(line.contains("data/0") && line.contains("needs"), line)
  }

  func testAnotherArchitectureAndAnUnimplementedOption() throws {
    let folder = try FairseqFixtures.scratch(for: self)
    let cases = [
      ("mega_lra_listop", "mega_lra_lisXop", "unknown architecture 'mega_lra_lisXop'"),
      ("mega", "luna", "--layer-type 'luna'"),
      ("scalenorm", "groupnorm", "--norm-type 'groupnorm'"),
    ]
    for (old, new, expected) in cases {
      let edited = folder.appendingPathComponent("\(new).pt")
      try FairseqFixtures.rewriteZip(FairseqFixtures.path("mega_lra_listops.pt"), to: edited) {
        $0.hasSuffix("data.pkl") ? FairseqFixtures.replacingString(old, with: new, in: $1) : $1
      }
      let line = try refused(edited)
      XCTAssertTrue(line.contains(expected), "\(expected): \(line)")
    }
  }

  func testADictionaryThatDoesNotFitTheEmbedding() throws {
    let line = try refused(
      URL(fileURLWithPath: FairseqFixtures.path("mega_lra_listops.pt")),
      dict: "mega_lm_adaptive.dict.txt")
    XCTAssertTrue(line.contains("--dict"), line)
  }

  func testAFileThatIsNoTorchFileAndAMissingOutputFolder() throws {
    let line = try refused(URL(fileURLWithPath: FairseqFixtures.path("mega_lra_listops.dict.txt")))
    XCTAssertTrue(line.contains("neither a zip archive nor a legacy torch stream"), line)
    let out = try FairseqFixtures.scratch(for: self).appendingPathComponent("no/such/model.h5")
    let job = try SeqboatJob.run(
      ranks: nil,
      [
        "import-fairseq", FairseqFixtures.path("mega_lra_listops.pt"), "--dict",
        FairseqFixtures.path("mega_lra_listops.dict.txt"), "--out", out.path,
      ])
    XCTAssertNotEqual(job.exitCode, 0)
    XCTAssertEqual(job.lines(containing: "does not exist").count, 1, job.output)
    XCTAssertEqual(job.output.split(separator: "\n").count, 1, job.output)
  }
}
