import Foundation
import XCTest

/// Base of the tests that need SLURM: before each test starts a private one-node SLURM with
/// tools/slurm-start.sh (own folder and ports, so it can run next to another instance), and stops
/// it with tools/slurm-stop.sh afterwards.
class LocalSlurmTestCase: XCTestCase {
  /// Environment for SLURM commands (SLURM_CONF) and the start/stop scripts.
  var environment: [String: String] = [:]
  /// Scratch folder of the test, removed afterwards.
  var folder = URL(fileURLWithPath: "/")

  override func setUpWithError() throws {
    guard getuid() == 0 else { throw XCTSkip("the local SLURM needs root (munged, slurmd)") }
    let pid = Int(getpid())
    folder = URL(fileURLWithPath: "/tmp/seqboat-slurm-test-\(pid)-\(UUID().uuidString.prefix(8))")
    environment = [
      "SEQBOAT_SLURM_DIR": folder.appendingPathComponent("slurm").path,
      "SEQBOAT_SLURMCTLD_PORT": "\(17_000 + 2 * (pid % 1000))",
      "SEQBOAT_SLURMD_PORT": "\(17_001 + 2 * (pid % 1000))",
    ]
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    addTeardownBlock { [environment, folder] in
      let stop = try ScriptRunner.run(
        ["tools/slurm-stop.sh"], environment: environment, timeout: 90)
      XCTAssertEqual(stop.status, 0, stop.stderr)
      try? FileManager.default.removeItem(at: folder)
    }
    let start = try ScriptRunner.run(
      ["tools/slurm-start.sh"], environment: environment, timeout: 90)
    XCTAssertEqual(start.status, 0, start.stderr)
    let conf = folder.appendingPathComponent("slurm/slurm.conf").path
    XCTAssertEqual(start.stdout, "export SLURM_CONF=\(conf)\n")
    environment["SLURM_CONF"] = conf

    let again = try ScriptRunner.run(
      ["tools/slurm-start.sh"], environment: environment, timeout: 90)
    XCTAssertEqual(again.status, 0, again.stderr)
    XCTAssertTrue(again.stderr.contains("already running"), "start is idempotent: \(again.stderr)")
  }

  /// Polls until `job` has left the queue; false after `timeout` seconds.
  func waitForJob(_ job: String, timeout: TimeInterval) throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      let queue = try ScriptRunner.run(["squeue", "-h", "-j", job], environment: environment)
      if queue.status == 0 && queue.stdout.isEmpty { return true }
      sleep(1)
    }
    return false
  }
}
