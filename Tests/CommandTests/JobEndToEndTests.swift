import Foundation
import XCTest

/// jobs/lra/listops-mega.sbatch with the real `seqboat train` on the local SLURM (2 ranks, a small
/// generated ListOps set and a small Mega model without dropout through SEQBOAT_EXTRA_ARGS; dropout
/// masks are not part of the checkpointed state): one job runs through;
/// a second, identical one is sent SIGUSR1 mid-training, saves, requeues itself, resumes from
/// checkpoint_last.h5 and finishes with the same per-update losses and validation result.
final class JobEndToEndTests: LocalSlurmTestCase {
  private let updates = 300
  private let smallModel = [
    "--encoder-layers 1", "--encoder-embed-dim 16", "--encoder-hidden-dim 32", "--z-dim 8",
    "--encoder-ffn-embed-dim 32", "--classifier-out-dim 16", "--batch-size 8",
    "--warmup-updates 20", "--log-interval 50", "--dropout 0",
  ]

  /// The built seqboat executable (next to the test bundle), or a skip.
  private func seqboat() throws -> URL {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("seqboat")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
      throw XCTSkip("\(binary.path) not built")
    }
    return binary
  }

  /// Submits the ListOps Mega script on 2 ranks saving into `name`; returns the job id.
  private func submit(_ name: String, binary: URL, data: URL) throws -> String {
    var job = environment
    job["SEQBOAT_BIN"] = binary.path
    job["SEQBOAT_DATA"] = data.path
    job["SEQBOAT_SAVE_DIR"] = folder.appendingPathComponent(name).path
    job["SEQBOAT_EXTRA_ARGS"] =
      (smallModel + ["--max-update \(updates)", "--total-num-update \(updates)"])
      .joined(separator: " ")
    let output = folder.appendingPathComponent("\(name).out").path
    let submit = try ScriptRunner.run(
      ["sbatch", "--parsable", "-n", "2", "-o", output, "jobs/lra/listops-mega.sbatch"],
      environment: job)
    XCTAssertEqual(submit.status, 0, submit.stderr)
    return submit.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// The JSON-lines log of run `name`: training loss per update (last record of each update)
  /// and the evaluation records.
  private func readLog(_ name: String) throws -> (losses: [Int: Double], evals: [[String: Any]]) {
    let text = try String(
      contentsOf: folder.appendingPathComponent("\(name)/train.jsonl"), encoding: .utf8)
    var losses: [Int: Double] = [:]
    var evals: [[String: Any]] = []
    for line in text.split(separator: "\n") {
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
      guard let record = object as? [String: Any], let update = record["update"] as? Int else {
        continue
      }
      if record["split"] != nil {
        evals.append(record)
      } else if let loss = record["loss"] as? Double {
        losses[update] = loss
      }
    }
    return (losses, evals)
  }

  /// The highest update logged so far by run `name` (0 before the first).
  private func lastUpdate(_ name: String) -> Int {
    (try? readLog(name).losses.keys.max() ?? 0) ?? 0
  }

  private func jobRecord(_ job: String) throws -> String {
    try ScriptRunner.run(["scontrol", "show", "job", job], environment: environment).stdout
  }

  func testJobTrainsAndAnInterruptedJobResumesToTheSameLosses() throws {
    let binary = try seqboat()
    let data = folder.appendingPathComponent("listops.h5")
    let prep = try ScriptRunner.run([
      binary.path, "prep", "listops", "--generate", "400", "--min-len", "20", "--max-len", "120",
      "--out", data.path, "--quiet",
    ])
    XCTAssertEqual(prep.status, 0, prep.stderr)

    let straight = try submit("straight", binary: binary, data: data)
    XCTAssertTrue(try waitForJob(straight, timeout: 300), "job \(straight) still queued")
    XCTAssertTrue(try jobRecord(straight).contains("JobState=COMPLETED"))
    let straightOut = try String(
      contentsOf: folder.appendingPathComponent("straight.out"), encoding: .utf8)
    XCTAssertTrue(straightOut.contains("srun, 2 ranks"), straightOut)
    XCTAssertTrue(straightOut.contains("training finished"), straightOut)
    for file in ["checkpoint_last.h5", "checkpoint_best.h5"] {
      let path = folder.appendingPathComponent("straight/\(file)").path
      XCTAssertTrue(FileManager.default.fileExists(atPath: path), "\(file) missing")
    }
    let reference = try readLog("straight")
    XCTAssertEqual(reference.losses.count, updates)
    XCTAssertNotNil(reference.evals.last?["accuracy"] as? Double, "a validation record")

    let stopped = try submit("stopped", binary: binary, data: data)
    let deadline = Date().addingTimeInterval(120)
    while lastUpdate("stopped") < updates / 3 && Date() < deadline { usleep(100_000) }
    let signal = try ScriptRunner.run(
      ["scancel", "--batch", "--signal=USR1", stopped], environment: environment)
    XCTAssertEqual(signal.status, 0, signal.stderr)
    XCTAssertTrue(try waitForJob(stopped, timeout: 300), "job \(stopped) still queued")
    let record = try jobRecord(stopped)
    XCTAssertTrue(record.contains("JobState=COMPLETED"), record)
    XCTAssertTrue(record.contains("Restarts=1"), record)
    let stoppedOut = try String(
      contentsOf: folder.appendingPathComponent("stopped.out"), encoding: .utf8)
    XCTAssertTrue(stoppedOut.contains("exit 75: checkpoint saved; requeueing"), stoppedOut)
    XCTAssertTrue(stoppedOut.contains("(restart 1)"), stoppedOut)

    let resumed = try readLog("stopped")
    XCTAssertEqual(resumed.losses.count, updates)
    for update in 1...updates {
      guard let a = reference.losses[update], let b = resumed.losses[update] else {
        XCTFail("update \(update) missing from a log")
        continue
      }
      XCTAssertEqual(b, a, accuracy: 1e-6 * max(1, abs(a)), "loss at update \(update)")
    }
    let finalA = try XCTUnwrap(reference.evals.last)
    let finalB = try XCTUnwrap(resumed.evals.last)
    XCTAssertEqual(finalB["update"] as? Int, updates)
    XCTAssertEqual(finalB["accuracy"] as? Double, finalA["accuracy"] as? Double)
    let lossA = try XCTUnwrap(finalA["loss"] as? Double)
    let lossB = try XCTUnwrap(finalB["loss"] as? Double)
    XCTAssertEqual(lossB, lossA, accuracy: 1e-6 * max(1, abs(lossA)))
  }
}
