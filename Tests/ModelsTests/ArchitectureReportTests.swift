import Foundation
import Models
import XCTest

/// `seqboat inspect --arch`'s report is computed from the module declarations without drawing or
/// keeping the parameters, and equals the report of the allocated model.
final class ArchitectureReportTests: XCTestCase {
  func testShapeOnlyReportEqualsTheAllocatedModels() throws {
    for name in ["mega_lra_listop", "slag_lra_listop", "mega_lra_cifar10", "mega_sc_raw_base"] {
      XCTAssertEqual(
        try architectureReport(name), try architectureReport(name, allocated: true), name)
    }
  }

  /// The largest preset's report: time and resident memory printed (not asserted).
  func testLargestPresetReportFigures() throws {
    let before = Self.residentKB()
    let start = Date()
    let report = try architectureReport("mega_lm_adaptive_big")
    let seconds = Date().timeIntervalSince(start)
    XCTAssertTrue(report.hasPrefix("arch mega_lm_adaptive_big: "), String(report.prefix(300)))
    print(
      "ArchitectureReportTests: mega_lm_adaptive_big report in "
        + String(format: "%.3f s, resident memory +%d kB", seconds, Self.residentKB() - before))
  }

  /// This process's resident set size in kB (`VmRSS` of /proc/self/status).
  private static func residentKB() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
  }
}
