import TestSupport
import Training
import XCTest

/// `--zero-sharding os` (sharded optimizer state, ZeRO stage 1) against whole state on every
/// rank: the same losses, weights and (consolidated) moments at 1, 2 and 3 ranks, whose slices
/// cut through parameters unevenly; and checkpoints that resume across layouts and world sizes.
final class ZeroShardingTests: XCTestCase {
  let updates = 16
  let sharded = ["--zero-sharding", "os"]

  /// The run `name` of `updates` updates (global batch 12: whole rows on 1, 2 and 3 ranks).
  func train(_ f: TrainingFixture, _ name: String, updates: Int, _ extra: [String]) -> [String] {
    f.train(TrainingFixture.mega, name, updates: updates, batch: 12, extra)
  }

  /// Asserts the moments of two checkpoints agree: the same parameters with state, the same step
  /// counts, values within `tolerance` (scaled by 1 + |value|).
  func assertSameMoments(
    _ a: Checkpoint, _ b: Checkpoint, tolerance: Float, file: StaticString = #filePath,
    line: UInt = #line
  ) {
    XCTAssertEqual(Set(a.moments.keys), Set(b.moments.keys), file: file, line: line)
    var offenders: [String] = []
    for (name, x) in a.moments.sorted(by: { $0.key < $1.key }) {
      guard let y = b.moments[name] else { continue }
      if x.step != y.step { offenders.append("\(name): step \(x.step) vs \(y.step)") }
      let p = x.expAvg + x.expAvgSq
      let q = y.expAvg + y.expAvgSq
      var worst: Float = 0
      for (u, v) in zip(p, q) { worst = max(worst, abs(u - v) / (1 + abs(u))) }
      if !(worst <= tolerance) { offenders.append("\(name): \(worst)") }
    }
    XCTAssertEqual(offenders, [], "moments that differ", file: file, line: line)
  }

  /// A classifier width of 15 makes 16,795 parameter values: odd, and not a multiple of 3.
  func testShardedStateEqualsWholeStateOnOneTwoAndThreeRanks() throws {
    let f = try TrainingFixture()
    let odd = ["--classifier-out-dim", "15"]
    for ranks in 1...3 {
      let whole = try SeqboatJob.run(
        ranks: ranks, train(f, "whole\(ranks)", updates: updates, odd))
      XCTAssertEqual(whole.exitCode, 0, whole.output)
      let shards = try SeqboatJob.run(
        ranks: ranks, train(f, "shards\(ranks)", updates: updates, odd + sharded))
      XCTAssertEqual(shards.exitCode, 0, shards.output)
      let (a, b) = (try f.checkpoint("whole\(ranks)"), try f.checkpoint("shards\(ranks)"))
      let total = a.moments.values.reduce(0) { $0 + $1.expAvg.count }
      if ranks > 1 { XCTAssertNotEqual(total % ranks, 0, "slices of \(total) values are even") }
      XCTAssertEqual(try f.losses("whole\(ranks)").count, updates)
      assertSameLosses(
        try f.losses("whole\(ranks)"), try f.losses("shards\(ranks)"), relative: 1e-5)
      assertSameParameters(a, b, tolerance: 1e-4)
      assertSameMoments(a, b, tolerance: 1e-4)
    }
  }

  /// Saved sharded on 2 ranks, resumed whole in one process; saved whole in one process, resumed
  /// sharded on 3 ranks: both equal the uninterrupted run.
  func testCheckpointsResumeAcrossLayoutsAndWorldSizes() throws {
    let f = try TrainingFixture()
    let reference = try SeqboatJob.run(ranks: nil, train(f, "ref", updates: updates, []))
    XCTAssertEqual(reference.exitCode, 0, reference.output)
    let plans: [(String, (Int, [String]), (Int, [String]))] = [
      ("os2-whole1", (2, sharded), (1, [])), ("whole1-os3", (1, []), (3, sharded)),
    ]
    for (name, first, second) in plans {
      let start = try SeqboatJob.run(
        ranks: first.0, train(f, name, updates: updates / 2, first.1))
      XCTAssertEqual(start.exitCode, 0, start.output)
      XCTAssertEqual(try f.checkpoint(name).worldSize, first.0)
      let resumed = try SeqboatJob.run(ranks: second.0, train(f, name, updates: updates, second.1))
      XCTAssertEqual(resumed.exitCode, 0, resumed.output)
      XCTAssertTrue(resumed.output.contains("loaded checkpoint"), resumed.output)
      XCTAssertFalse(resumed.output.contains("warning"), resumed.output)
      assertSameLosses(try f.losses("ref"), try f.losses(name), relative: 1e-5)
      assertSameParameters(try f.checkpoint("ref"), try f.checkpoint(name), tolerance: 1e-4)
      assertSameMoments(try f.checkpoint("ref"), try f.checkpoint(name), tolerance: 1e-4)
    }
  }

  /// fp16: gradients are reduce-scattered in half precision as the all-reduce sums them.
  func testShardedFP16EqualsWholeStateOnTwoRanks() throws {
    let f = try TrainingFixture()
    let half = ["--fp16", "--fp16-scale-window", "4"]
    let whole = try SeqboatJob.run(ranks: 2, train(f, "whole", updates: updates, half))
    XCTAssertEqual(whole.exitCode, 0, whole.output)
    let shards = try SeqboatJob.run(ranks: 2, train(f, "shards", updates: updates, half + sharded))
    XCTAssertEqual(shards.exitCode, 0, shards.output)
    XCTAssertEqual(
      try f.updates("whole").map { $0["loss_scale"] as! Double },
      try f.updates("shards").map { $0["loss_scale"] as! Double })
    assertSameLosses(try f.losses("whole"), try f.losses("shards"), relative: 1e-4)
    assertSameParameters(try f.checkpoint("whole"), try f.checkpoint("shards"), tolerance: 1e-3)
  }

  func testUnknownValueIsRefusedByName() throws {
    let f = try TrainingFixture(count: 50)
    let job = try SeqboatJob.run(
      ranks: nil, train(f, "bad", updates: 1, ["--zero-sharding", "full"]))
    XCTAssertEqual(job.exitCode, 1, job.output)
    XCTAssertTrue(
      job.output.contains("--zero-sharding 'full' is not one of none, os"), job.output)
  }
}
