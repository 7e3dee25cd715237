import TestSupport
import XCTest

/// Bucketed gradient reduction on real MPI ranks: equal to a plain allreduce in fp32 and fp16, with
/// the cross-rank "some rank had a gradient" rule, overlapped or not.
final class GradientBucketsTests: XCTestCase {
  func testBucketsEqualPlainAllReduceOnTwoRanks() throws {
    let job = try SeqboatJob.selftest(["buckets"])
    XCTAssertEqual(job.exitCode, 0, job.output)
    XCTAssertEqual(job.lines(containing: ": PASS buckets:").count, 2, job.output)
  }

  func testBucketsOnThreeRanks() throws {
    let job = try SeqboatJob.selftest(ranks: 3, ["buckets"])
    XCTAssertEqual(job.exitCode, 0, job.output)
    XCTAssertEqual(job.lines(containing: ": PASS buckets:").count, 3, job.output)
  }
}
