import TestSupport
import XCTest

/// The communicator's collectives on 2 real MPI ranks (each rank checks its results).
final class CollectivesTests: XCTestCase {
  func assertPasses(
    _ scenario: String, ranks: Int = 2, file: StaticString = #filePath, line: UInt = #line
  )
    throws
  {
    let job = try SeqboatJob.selftest(ranks: ranks, [scenario])
    XCTAssertEqual(job.exitCode, 0, job.output, file: file, line: line)
    XCTAssertEqual(
      job.lines(containing: ": PASS \(scenario):").count, ranks, job.output, file: file, line: line)
  }

  func testAllReduceOfEveryTypeAndOp() throws { try assertPasses("collectives") }

  func testAllReduceOnThreeRanks() throws { try assertPasses("collectives", ranks: 3) }

  func testBroadcastFromAnyRootAndParameters() throws { try assertPasses("broadcast") }

  func testStartupCheckNamesTheOddRank() throws { try assertPasses("setup") }

  func testMPIErrorIsThrownNamingTheCall() throws { try assertPasses("error") }
}
