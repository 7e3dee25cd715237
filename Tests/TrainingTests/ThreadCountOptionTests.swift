import Training
import XCTest

/// `--threads`: given, else SLURM's `--cpus-per-task`, else 1; anything else refused.
final class ThreadCountOptionTests: XCTestCase {
  func testGivenThenSlurmThenOne() throws {
    XCTAssertEqual(try ThreadCount.resolve(3, environment: ["SLURM_CPUS_PER_TASK": "8"]), 3)
    XCTAssertEqual(try ThreadCount.resolve(nil, environment: ["SLURM_CPUS_PER_TASK": "8"]), 8)
    XCTAssertEqual(try ThreadCount.resolve(nil, environment: [:]), 1)
  }

  func testBadCountsAreRefusedWithTheirSource() {
    XCTAssertThrowsError(try ThreadCount.resolve(0, environment: [:])) {
      XCTAssertTrue("\($0)".contains("--threads 0"), "\($0)")
    }
    XCTAssertThrowsError(try ThreadCount.resolve(1 << 31, environment: [:])) {
      XCTAssertTrue("\($0)".contains("--threads 2147483648"), "\($0)")
    }
    XCTAssertThrowsError(try ThreadCount.resolve(nil, environment: ["SLURM_CPUS_PER_TASK": "5000"]))
    XCTAssertThrowsError(
      try ThreadCount.resolve(nil, environment: ["SLURM_CPUS_PER_TASK": "2(x3)"])
    ) {
      XCTAssertTrue("\($0)".contains("SLURM_CPUS_PER_TASK"), "\($0)")
    }
  }
}
