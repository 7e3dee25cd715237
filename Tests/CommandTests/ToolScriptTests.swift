import Foundation
import XCTest

/// tools/install-deps.sh and tools/swift-env.sh work for a user without root.
final class ToolScriptTests: XCTestCase {
  /// The system packages are present (tools/test.sh installs them first), so install-deps.sh
  /// checks, needs nothing and exits 0 as an ordinary user: run as `nobody` when the tests run
  /// as root, from a copy that user can read.
  func testInstallDepsNeedsNoRootWhenEverythingIsInstalled() throws {
    let folder = try temporaryFolder()
    let copy = folder.appendingPathComponent("install-deps.sh")
    try FileManager.default.copyItem(
      at: ScriptRunner.root.appendingPathComponent("tools/install-deps.sh"), to: copy)
    for url in [folder, copy] {
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }
    let asUser =
      getuid() == 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
    let result = try ScriptRunner.run(asUser + ["bash", copy.path], directory: folder)
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(result.stdout.contains("packages already installed"), result.stdout)
  }

  /// SWIFT_BIN wins over PATH; a SWIFT_BIN that is not executable is one line and exit 1.
  func testSwiftEnvHonoursSwiftBin() throws {
    let folder = try temporaryFolder()
    let fake = folder.appendingPathComponent("swift")
    try "#!/bin/sh\necho fake swift\n".write(to: fake, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
    let script = "source tools/swift-env.sh && command -v swift && swift"
    let chosen = try ScriptRunner.run(
      ["bash", "-c", script], environment: ["SWIFT_BIN": fake.path])
    XCTAssertEqual(chosen.status, 0, chosen.stderr)
    XCTAssertEqual(chosen.stdout, "\(fake.path)\nfake swift\n")
    let missing = folder.appendingPathComponent("nothing/swift").path
    let refused = try ScriptRunner.run(
      ["bash", "-c", script], environment: ["SWIFT_BIN": missing])
    XCTAssertEqual(refused.status, 1)
    XCTAssertEqual(refused.stderr, "bash: SWIFT_BIN=\(missing) is not an executable file\n")
  }
}
