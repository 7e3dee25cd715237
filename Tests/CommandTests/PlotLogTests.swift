import Foundation
import XCTest

/// tools/plot-log.py renders a JSON-lines training log to a PNG and refuses logs without losses.
final class PlotLogTests: XCTestCase {

  func testRendersLossAndAccuracyCurvesToPNG() throws {
    let folder = try temporaryFolder()
    var lines = ["a line that is not JSON"]
    for update in 1...200 {
      let loss = 2.3 * exp(-Double(update) / 80) + 0.5
      lines.append(#"{"update": \#(update), "epoch": 1, "loss": \#(loss), "lr": 0.001}"#)
      if update % 50 == 0 {
        lines.append(
          #"{"split": "valid", "update": \#(update), "loss": \#(loss), "accuracy": 50.5}"#)
      }
    }
    let log = folder.appendingPathComponent("train.jsonl")
    try lines.joined(separator: "\n").write(to: log, atomically: true, encoding: .utf8)
    let png = folder.appendingPathComponent("curves.png")

    let result = try ScriptRunner.run(
      ["tools/plot-log.py", log.path, "-o", png.path], environment: ["MPLCONFIGDIR": folder.path])
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertEqual(result.stdout, png.path + "\n")
    XCTAssertTrue(result.stderr.contains("skipped 1 line(s)"), result.stderr)
    let bytes = try Data(contentsOf: png)
    XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    XCTAssertGreaterThan(bytes.count, 10_000, "a PNG with three panels of curves")
  }

  func testRefusesLogWithoutLosses() throws {
    let folder = try temporaryFolder()
    let log = folder.appendingPathComponent("empty.jsonl")
    try #"{"update": 1, "lr": 0.1}"#.write(to: log, atomically: true, encoding: .utf8)
    let result = try ScriptRunner.run(
      ["tools/plot-log.py", log.path], environment: ["MPLCONFIGDIR": folder.path])
    XCTAssertEqual(result.status, 1)
    XCTAssertTrue(result.stderr.contains("no record with both 'update' and 'loss'"), result.stderr)
  }
}
