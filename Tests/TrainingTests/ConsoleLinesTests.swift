import Foundation
import XCTest

@testable import Training

/// The console's formats: fairseq 0.9's simple lines, its JSON keys, and when tqdm applies.
final class ConsoleLinesTests: XCTestCase {
  private let figures: [(key: String, value: Double)] = [
    ("loss", 2.5), ("ppl", 5.656854), ("wps", 1234.4), ("ups", 0.5), ("wpb", 512), ("bsz", 8),
    ("num_updates", 20), ("lr", 0.0001), ("gnorm", 1.25), ("clip", 0), ("wall", 61.6),
  ]

  func testSimpleLinesAreFairseqShaped() {
    let interval = LogStats(
      kind: .interval(batch: 20, batches: 100), epoch: 1, update: 20, figures: figures)
    XCTAssertEqual(
      ConsoleLines.simple(interval),
      "| epoch 001:    20 / 100 loss=2.500, ppl=5.66, wps=1234, ups=0.50, wpb=512.000, "
        + "bsz=8.000, num_updates=20, lr=0.0001, gnorm=1.250, clip=0.000, wall=62")
    let epoch = LogStats(kind: .epoch, epoch: 3, update: 20, figures: Array(figures.prefix(2)))
    XCTAssertEqual(ConsoleLines.simple(epoch), "| epoch 003 | loss 2.500 | ppl 5.66")
    let valid = LogStats(
      kind: .validation(split: "valid"), epoch: 3, update: 20,
      figures: [("loss", 2), ("num_updates", 20), ("best_loss", 1.5)])
    XCTAssertEqual(
      ConsoleLines.simple(valid),
      "| epoch 003 | valid on 'valid' subset | loss 2.000 | num_updates 20 | best_loss 1.500")
  }

  private func object(_ line: String) throws -> [String: Any] {
    try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
  }

  /// fairseq's json_progress_bar: `epoch`, `update` (fraction of epochs) and the figures under
  /// their names for an interval; `train_` and `valid_` prefixes in summaries; string values.
  func testJSONKeysAreFairseqs() throws {
    let interval = LogStats(
      kind: .interval(batch: 25, batches: 100), epoch: 2, update: 125, figures: figures)
    let line = ConsoleLines.json(interval)
    XCTAssertTrue(line.hasPrefix("{\"epoch\": 2, \"update\": 1.25, \"loss\": \"2.500\""), line)
    let o = try object(line)
    XCTAssertEqual(Set(o.keys), Set(["epoch", "update"] + figures.map(\.key)))
    XCTAssertEqual(o["ppl"] as? String, "5.66")
    XCTAssertEqual(o["num_updates"] as? String, "20")
    let epoch = try object(
      ConsoleLines.json(LogStats(kind: .epoch, epoch: 2, update: 200, figures: figures)))
    XCTAssertEqual(Set(epoch.keys), Set(["epoch"] + figures.map { "train_" + $0.key }))
    XCTAssertEqual(epoch["epoch"] as? Int, 2)
    let valid = try object(
      ConsoleLines.json(
        LogStats(
          kind: .validation(split: "valid"), epoch: 2, update: 200,
          figures: [("loss", 2), ("ppl", 4), ("num_updates", 200), ("best_loss", 2)])))
    XCTAssertEqual(
      Set(valid.keys), ["epoch", "valid_loss", "valid_ppl", "valid_num_updates", "valid_best_loss"])
    XCTAssertEqual(
      ConsoleLines.json(
        LogStats(kind: .interval(batch: 100, batches: 100), epoch: 1, update: 1, figures: [])),
      "{\"epoch\": 1, \"update\": 1.0}")
  }

  func testTqdmOnlyOnATerminal() {
    XCTAssertEqual(ConsoleFormat.resolve(nil, terminal: true), .tqdm)
    XCTAssertEqual(ConsoleFormat.resolve(nil, terminal: false), .simple)
    XCTAssertEqual(ConsoleFormat.resolve("tqdm", terminal: false), .simple)
    XCTAssertEqual(ConsoleFormat.resolve("json", terminal: true), .json)
    XCTAssertEqual(ConsoleFormat.resolve("none", terminal: false), .none)
  }

  func testNonFiniteFiguresPrintAsInf() {
    XCTAssertEqual(LogStats.text("gnorm", .infinity), "inf")
    XCTAssertEqual(LogStats.text("loss", .nan), "nan")
  }
}
