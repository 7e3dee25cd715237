import Foundation
import TestSupport
import XCTest

/// `seqboat prep` streams archives instead of reading them into memory.
final class PrepStreamingTests: XCTestCase {
  /// A 512 MiB tar (four reviews and one large member the converter skips, written as a hole so
  /// it costs no disk) converts with a peak resident size far below the archive's size, which
  /// reading the archive at once would need.
  func testTextArchiveIsStreamed() throws {
    let folder = try temporaryFolder()
    let archive = folder.appendingPathComponent("aclImdb_v1.tar")
    let large = 512 << 20
    var head: [UInt8] = []
    for (name, text) in [
      ("train/pos/1_8.txt", "good"), ("train/neg/2_2.txt", "bad"), ("test/pos/3_9.txt", "fine"),
      ("test/neg/4_1.txt", "poor"),
    ] {
      let bytes = Array(text.utf8)
      head += TarHeader.block("aclImdb/" + name, size: bytes.count, type: "0")
      head += bytes + TarHeader.padding(bytes.count)
    }
    head += TarHeader.block("aclImdb/train/unsup/large.bin", size: large, type: "0")
    XCTAssertTrue(FileManager.default.createFile(atPath: archive.path, contents: Data(head)))
    let handle = try FileHandle(forWritingTo: archive)
    try handle.seek(toOffset: UInt64(head.count + large))
    try handle.write(contentsOf: Data(count: 1024))
    try handle.close()

    let out = folder.appendingPathComponent("text.h5").path
    let result = try ScriptRunner.run([
      try SeqboatJob.executable().path, "prep", "text", "--raw", archive.path, "--out", out,
      "--quiet",
    ])
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(result.stdout.contains("train: 2 examples"), result.stdout)
    XCTAssertGreaterThan(result.peakResidentKiB, 1 << 10, "the process was never sampled")
    XCTAssertLessThan(
      result.peakResidentKiB, 160 << 10,
      "peak RSS \(result.peakResidentKiB) KiB for a \(large >> 20) MiB archive")
  }
}
