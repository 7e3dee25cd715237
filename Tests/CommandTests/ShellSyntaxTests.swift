import XCTest

/// Every shell script of jobs/ and tools/ parses (`bash -n`).
final class ShellSyntaxTests: XCTestCase {
  func testEveryScriptPassesBashSyntaxCheck() throws {
    let scripts =
      ScriptRunner.files(under: "jobs", suffix: ".sbatch")
      + ScriptRunner.files(under: "jobs", suffix: ".sh")
      + ScriptRunner.files(under: "tools", suffix: ".sh")
    XCTAssertGreaterThanOrEqual(scripts.count, 24 + 1 + 3, "scripts found: \(scripts)")
    for script in scripts {
      let result = try ScriptRunner.run(["bash", "-n", script])
      XCTAssertEqual(result.status, 0, "\(script): \(result.stderr)")
    }
  }
}
