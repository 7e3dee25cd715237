import Foundation
import TestSupport
import XCTest

/// With dropout on, training on several ranks follows the single-process trajectory on the same
/// global batch (up to float summation order): masks are keyed by (seed, update, micro-batch,
/// global example), never by rank.
final class DropoutWorldSizeTests: XCTestCase {
  private let updates = 12
  private let dropout = [
    "--dropout", "0.1", "--attention-dropout", "0.1", "--act-dropout", "0.1",
  ]

  private func assertRanksEqualOne(
    _ model: [String], ranks: Int, file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let f = try TrainingFixture()
    func args(_ extra: [String], _ name: String) -> [String] {
      f.train(model + extra, name, updates: updates, batch: 6 * ranks)
    }
    let one = try SeqboatJob.run(ranks: nil, args(dropout, "one"))
    XCTAssertEqual(one.exitCode, 0, one.output, file: file, line: line)
    let many = try SeqboatJob.run(ranks: ranks, args(dropout, "many"))
    XCTAssertEqual(many.exitCode, 0, many.output, file: file, line: line)
    let a = try f.losses("one")
    XCTAssertEqual(a.count, updates, file: file, line: line)
    assertSameLosses(a, try f.losses("many"), relative: 1e-4, file: file, line: line)
    assertSameParameters(
      try f.checkpoint("one"), try f.checkpoint("many"), tolerance: 1e-3, file: file, line: line)
    let noDropout = try SeqboatJob.run(ranks: nil, args([], "plain"))
    XCTAssertEqual(noDropout.exitCode, 0, noDropout.output, file: file, line: line)
    XCTAssertNotEqual(a, try f.losses("plain"), "dropout is on", file: file, line: line)
  }

  func testMegaThreeRanksEqualOneProcessWithDropout() throws {
    try assertRanksEqualOne(TrainingFixture.mega, ranks: 3)
  }

  func testSeqBoatTwoRanksEqualOneProcessWithDropout() throws {
    try assertRanksEqualOne(TrainingFixture.seqboat, ranks: 2)
  }

  /// A language model (time-major layers, batch-first embeddings) with every dropout it has.
  func testLanguageModelTwoRanksEqualOneProcessWithDropout() throws {
    let f = try TrainingFixture(count: 100)
    let data = f.path("stream.h5")
    try TrainingFixture.writeStream(data, lines: 120)
    func args(_ name: String) -> [String] {
      [
        "train", "--arch", "mega_lm_enwik8_base", "--decoder-layers", "2",
        "--decoder-embed-dim", "16", "--decoder-hidden-dim", "32", "--decoder-ffn-embed-dim", "32",
        "--decoder-z-dim", "8", "--decoder-n-dim", "4", "--decoder-chunk-size", "16",
        "--dropout", "0.1", "--attention-dropout", "0.1", "--hidden-dropout", "0.1",
        "--activation-dropout", "0.1", "--max-target-positions", "64", "--data", data,
        "--save-dir", f.path(name), "--log-file", f.path(name + ".jsonl"), "--max-update", "8",
        "--batch-size", "6", "--tokens-per-sample", "32", "--lr", "0.01", "--seed", "2",
      ]
    }
    let one = try SeqboatJob.run(ranks: nil, args("one"))
    XCTAssertEqual(one.exitCode, 0, one.output)
    let two = try SeqboatJob.run(ranks: 2, args("two"))
    XCTAssertEqual(two.exitCode, 0, two.output)
    assertSameLosses(try f.losses("one"), try f.losses("two"), relative: 1e-4)
    assertSameParameters(try f.checkpoint("one"), try f.checkpoint("two"), tolerance: 1e-3)
  }
}
