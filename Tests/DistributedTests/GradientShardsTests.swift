import TestSupport
import XCTest

/// The collectives of sharded optimizer state on real MPI ranks with uneven slices: reduce-scatter,
/// all-gather and gather, and the gradient/parameter exchanges in fp32 and fp16, with parameters
/// that some or all ranks have no gradient for.
final class GradientShardsTests: XCTestCase {
  func assertShardsPass(ranks: Int, file: StaticString = #filePath, line: UInt = #line) throws {
    let job = try SeqboatJob.selftest(ranks: ranks, ["shards"])
    XCTAssertEqual(job.exitCode, 0, job.output, file: file, line: line)
    XCTAssertEqual(
      job.lines(containing: ": PASS shards:").count, ranks, job.output, file: file, line: line)
  }

  func testShardsOnOneRank() throws { try assertShardsPass(ranks: 1) }

  func testShardsOnTwoRanks() throws { try assertShardsPass(ranks: 2) }

  func testShardsOnThreeRanks() throws { try assertShardsPass(ranks: 3) }
}
