import Foundation
import TestSupport
import XCTest

/// fp16 dynamic loss scaling under mpirun: overflow skips the step and halves the scale on every
/// rank; a scale that would fall to the minimum stops the run with one clear line.
final class FP16Tests: XCTestCase {
  func testOverflowSkipsTheStepAndHalvesTheScale() throws {
    let f = try TrainingFixture()
    let job = try SeqboatJob.run(
      ranks: 2,
      f.train(TrainingFixture.mega, "run", updates: 3, ["--fp16", "--fp16-init-scale", "1e12"]))
    XCTAssertEqual(job.exitCode, 0, job.output)
    let records = try f.updates("run")
    let skipped = records.filter { $0["skipped"] as? Bool == true }
    XCTAssertGreaterThan(skipped.count, 3, "a scale of 1e12 must overflow fp16 gradients")
    XCTAssertEqual(records.count, skipped.count + 3)
    XCTAssertEqual(records.first?["loss_scale"] as? Double, 1e12)
    var taken = 0
    for (i, r) in records.enumerated() {
      let next = i + 1 < records.count ? records[i + 1] : nil
      let scale = r["loss_scale"] as! Double
      if r["skipped"] as? Bool == true {
        XCTAssertEqual(r["update"] as? Int, taken, "a skipped step does not count as an update")
        XCTAssertTrue(r["gnorm"] is NSNull, "the overflowing norm is logged as null")
        if let next { XCTAssertEqual(next["loss_scale"] as? Double, scale / 2) }
      } else {
        taken += 1
        XCTAssertEqual(r["update"] as? Int, taken)
      }
    }
    let checkpoint = try f.checkpoint("run")
    XCTAssertEqual(checkpoint.numUpdates, 3)
    XCTAssertEqual(checkpoint.scaler?.scale, records.last?["loss_scale"] as? Double)
    for (name, t) in checkpoint.tensors {
      XCTAssertTrue(t.data.allSatisfy(\.isFinite), "non-finite value in \(name)")
    }
  }

  func testScaleBelowTheMinimumStopsTheRun() throws {
    let f = try TrainingFixture()
    let job = try SeqboatJob.run(
      ranks: 2,
      f.train(
        TrainingFixture.mega, "run", updates: 3,
        ["--fp16", "--fp16-init-scale", "1e12", "--min-loss-scale", "1e11"]))
    XCTAssertNotEqual(job.exitCode, 0, job.output)
    XCTAssertTrue(job.output.contains("minimum loss scale reached"), job.output)
  }
}
