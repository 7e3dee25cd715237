import TestSupport
import XCTest

/// Data-parallel training on 2 ranks equals single-process training on the same global batch
/// (issue 6): per-update losses and final parameters, over 24 updates.
final class DistributedEquivalenceTests: XCTestCase {
  let updates = 24

  /// Trains `model` once in one process and once on 2 ranks; compares losses and parameters.
  func assertTwoRanksEqualOne(
    _ model: [String], _ extra: [String] = [], lossTolerance: Double, parameterTolerance: Float,
    ignoring: [String] = [], file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let f = try TrainingFixture()
    let one = try SeqboatJob.run(ranks: nil, f.train(model, "one", updates: updates, extra))
    XCTAssertEqual(one.exitCode, 0, one.output, file: file, line: line)
    let two = try SeqboatJob.run(ranks: 2, f.train(model, "two", updates: updates, extra))
    XCTAssertEqual(two.exitCode, 0, two.output, file: file, line: line)
    let a = try f.losses("one")
    XCTAssertEqual(a.count, updates, file: file, line: line)
    assertSameLosses(a, try f.losses("two"), relative: lossTolerance, file: file, line: line)
    assertSameParameters(
      try f.checkpoint("one"), try f.checkpoint("two"), tolerance: parameterTolerance,
      ignoring: ignoring, file: file,
      line: line)
    XCTAssertEqual(try f.checkpoint("two").worldSize, 2, file: file, line: line)
  }

  func testMegaTwoRanksEqualOneProcess() throws {
    try assertTwoRanksEqualOne(TrainingFixture.mega, lossTolerance: 1e-5, parameterTolerance: 1e-4)
  }

  func testSeqBoatTwoRanksEqualOneProcess() throws {
    try assertTwoRanksEqualOne(
      TrainingFixture.seqboat, lossTolerance: 1e-5, parameterTolerance: 1e-4)
  }

  func testMegaFP16TwoRanksEqualOneProcess() throws {
    try assertTwoRanksEqualOne(
      TrainingFixture.mega, ["--fp16", "--fp16-scale-window", "8"], lossTolerance: 1e-3,
      parameterTolerance: 1e-2)
  }

  /// In a post-norm layer the NFFN's output bias is followed by batch norm, which removes it:
  /// its gradient is zero up to rounding, and Adam turns rounding noise into full-size steps, so
  /// that bias (and the running mean it shifts) is not compared.
  func testSyncBatchNormTwoRanksEqualOneProcess() throws {
    try assertTwoRanksEqualOne(
      TrainingFixture.mega + ["--norm-type", "batchnorm"], ["--sync-bn"],
      lossTolerance: 1e-5, parameterTolerance: 1e-3,
      ignoring: ["nffn.fc2.bias", "norm.running_mean"])
  }

  /// Same rows, same result: 2 ranks × update-freq 1 equals 1 rank × update-freq 2 (Mega).
  func testTwoRanksEqualOneRankWithUpdateFreqTwo() throws {
    let f = try TrainingFixture()
    let two = try SeqboatJob.run(ranks: 2, f.train(TrainingFixture.mega, "two", updates: updates))
    XCTAssertEqual(two.exitCode, 0, two.output)
    let freq = try SeqboatJob.run(
      ranks: 1, f.train(TrainingFixture.mega, "freq", updates: updates, ["--update-freq", "2"]))
    XCTAssertEqual(freq.exitCode, 0, freq.output)
    assertSameLosses(try f.losses("two"), try f.losses("freq"), relative: 1e-5)
    assertSameParameters(try f.checkpoint("two"), try f.checkpoint("freq"), tolerance: 1e-4)
  }
}
