import XCTest

/// fp16 dynamic loss scaling under mpirun: overflow skips the step and halves the scale on every
/// rank; a scale that would fall to the minimum stops the run with one clear line.
final class FP16Tests: XCTestCase {
  func testOverflowSkipsTheStepAndHalvesTheScale() throws {
    let f = try TrainingFixture()
    let job = try TrainJob.run(
      ranks: 2,
      f.train(TrainingFixture.mega, "run", updates: 3, ["--fp16", "--fp16-init-scale", "1e12"]))
    XCTAssertEqual(job.exitCode, 0, job.output)
    let records = try f.updates("run")
    let skipped = records.filter { $0["skipped"] as? Bool == true }
    XCTAssertGreaterThan(skipped.count, 3, "a scale of 1e12 must overflow fp16 gradients")
    XCTAssertEqual(records.count, skipped.count + 3)
    var scale = 1e12
    for r in skipped {
      XCTAssertEqual(r["loss_scale"] as? Double, scale)
      XCTAssertEqual(r["update"] as? Int, 0, "a skipped step does not count as an update")
      scale /= 2
    }
    XCTAssertEqual(records[skipped.count]["loss_scale"] as? Double, scale)
    XCTAssertEqual(records[skipped.count]["skipped"] as? Bool, false)
    let checkpoint = try f.checkpoint("run")
    XCTAssertEqual(checkpoint.numUpdates, 3)
    XCTAssertEqual(checkpoint.scaler?.scale, scale)
    for (name, t) in checkpoint.tensors {
      XCTAssertTrue(t.data.allSatisfy(\.isFinite), "non-finite value in \(name)")
    }
  }

  func testScaleBelowTheMinimumStopsTheRun() throws {
    let f = try TrainingFixture()
    let job = try TrainJob.run(
      ranks: 2,
      f.train(
        TrainingFixture.mega, "run", updates: 3,
        ["--fp16", "--fp16-init-scale", "1e12", "--min-loss-scale", "1e11"]))
    XCTAssertNotEqual(job.exitCode, 0, job.output)
    XCTAssertTrue(job.output.contains("minimum loss scale reached"), job.output)
  }
}
