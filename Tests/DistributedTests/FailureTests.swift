import TestSupport
import XCTest

/// A rank that stops answering or dies never hangs the job.
final class FailureTests: XCTestCase {
  let timeout = 3.0

  func assertWatchdogAborts(
    _ scenario: String, victim: Int, file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let job = try SeqboatJob.selftest(
      [scenario, "--victim", "\(victim)", "--collective-timeout", "\(timeout)"], limit: 60)
    XCTAssertNotEqual(job.exitCode, 0, job.output, file: file, line: line)
    XCTAssertLessThan(job.seconds, timeout + 15, job.output, file: file, line: line)
    let verdict = job.lines(containing: "did not complete within")
    XCTAssertEqual(verdict.count, 1, job.output, file: file, line: line)
    XCTAssertTrue(
      verdict.first?.contains(": rank \(victim) did not arrive") ?? false, job.output, file: file,
      line: line)
  }

  func testStoppedRankIsNamedByRankZero() throws {
    try assertWatchdogAborts("stop", victim: 1)
  }

  func testStoppedRankZeroIsNamedByTheOthers() throws {
    try assertWatchdogAborts("stop", victim: 0)
  }

  func testRankStoppedInsideTheCollectiveIsNamed() throws {
    try assertWatchdogAborts("stop-inside", victim: 1)
  }

  func testRankZeroStoppedInsideTheCollectiveIsNamed() throws {
    try assertWatchdogAborts("stop-inside", victim: 0)
  }

  func testSleepingRankIsNamed() throws {
    try assertWatchdogAborts("sleep", victim: 1)
  }

  func testKilledRankEndsTheJobWithinSeconds() throws {
    let job = try SeqboatJob.selftest(
      ["kill", "--victim", "1", "--collective-timeout", "300"], limit: 60)
    XCTAssertNotEqual(job.exitCode, 0, job.output)
    XCTAssertLessThan(job.seconds, 20, job.output)
    XCTAssertFalse(job.lines(containing: "process rank 1").isEmpty, job.output)
  }
}
