import Foundation
import TestSupport
import XCTest

/// The preemption contract of jobs/launch.sh on the local SLURM: a signalled job passes the signal
/// to its ranks, sees exit status 75, requeues itself, and the requeued job resumes and completes.
///
/// `seqboat train` is replaced by a stand-in that keeps the trainer's side of the contract (on
/// SIGUSR1/SIGTERM rank 0 writes checkpoint_last.h5 and every rank exits 75; with a checkpoint
/// present it resumes and exits 0), so the launcher is tested before the trainer exists. The same
/// submission with SEQBOAT_BIN at the real binary and a generated data set is the end-to-end test.
final class JobPreemptionTests: LocalSlurmTestCase {
  private var events: URL { folder.appendingPathComponent("events") }
  private var save: URL { folder.appendingPathComponent("ckpt") }

  /// Writes the stand-in and an (empty) data file; returns the job environment.
  private func prepareJob(launcher: String) throws -> [String: String] {
    let standIn = folder.appendingPathComponent("seqboat")
    try """
    #!/bin/bash
    [[ $1 == train-switches ]] && exec \(try SeqboatJob.executable().path) train-switches
    [[ $1 == train ]] || exit 64
    save=""; prev=""
    for a in "$@"; do [[ $prev == --save-dir ]] && save=$a; prev=$a; done
    r=${OMPI_COMM_WORLD_RANK:-${SLURM_PROCID:-x}}
    if [[ -e $save/checkpoint_last.h5 ]]; then echo "resumed $r" >>\(events.path); exit 0; fi
    trap '[[ $r == 0 ]] && touch "$save/checkpoint_last.h5"; echo "saved $r" >>\(events.path)
      sleep 1; exit 75' USR1 TERM
    echo "started $r" >>\(events.path)
    for i in $(seq 3000); do sleep 0.1; done
    exit 0
    """.write(to: standIn, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: standIn.path)
    let data = folder.appendingPathComponent("listops.h5")
    try Data().write(to: data)
    var job = environment
    job["SEQBOAT_BIN"] = standIn.path
    job["SEQBOAT_DATA"] = data.path
    job["SEQBOAT_SAVE_DIR"] = save.path
    job["SEQBOAT_LAUNCHER"] = launcher
    return job
  }

  /// Submits jobs/lra/listops-mega.sbatch on 2 ranks with `options`; returns the job id.
  private func submit(_ options: [String], environment job: [String: String]) throws -> String {
    let output = folder.appendingPathComponent("job.out").path
    let submit = try ScriptRunner.run(
      ["sbatch", "--parsable", "-n", "2", "-o", output] + options + [
        "jobs/lra/listops-mega.sbatch"
      ],
      environment: job)
    XCTAssertEqual(submit.status, 0, submit.stderr)
    return submit.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Waits for the job to finish and checks it saved once, requeued once, resumed and completed.
  private func assertSavedRequeuedResumed(_ job: String, launcher: String) throws {
    XCTAssertTrue(try waitForJob(job, timeout: 300), "job \(job) still queued after 300 s")
    let record = try ScriptRunner.run(["scontrol", "show", "job", job], environment: environment)
    XCTAssertTrue(record.stdout.contains("JobState=COMPLETED"), record.stdout)
    XCTAssertTrue(record.stdout.contains("Restarts=1"), record.stdout)
    let log = try String(
      contentsOf: folder.appendingPathComponent("job.out"), encoding: .utf8)
    for line in [
      "(restart 0): \(launcher), 2 ranks", "got SIGUSR1", "exit 75: checkpoint saved; requeueing",
      "(restart 1): \(launcher), 2 ranks", "training finished",
    ] {
      XCTAssertTrue(log.contains(line), "job log lacks '\(line)':\n\(log)")
    }
    let happened = try String(contentsOf: events, encoding: .utf8).split(separator: "\n")
    XCTAssertEqual(
      happened.sorted(),
      ["resumed 0", "resumed 1", "saved 0", "saved 1", "started 0", "started 1"])
    XCTAssertTrue(
      FileManager.default.fileExists(atPath: save.appendingPathComponent("command.txt").path))
  }

  /// The script's own `--signal=B:USR1@300` fires under a 7-minute time limit (srun launcher),
  /// one to two minutes in (SLURM may signal up to 60 s early). The requeued run resumes and ends
  /// within seconds, long before its own signal would come; with a 5-minute limit the signal
  /// could reach the requeued run too and requeue it a second time.
  func testTimeLimitSignalSavesRequeuesAndResumes() throws {
    let job = try submit(["--time=7"], environment: try prepareJob(launcher: "srun"))
    try assertSavedRequeuedResumed(job, launcher: "srun")
  }

  /// SIGUSR1 sent to the batch shell (as a preempting scheduler would) with the mpirun launcher.
  func testSignalToBatchShellReachesMpirunRanks() throws {
    let job = try submit([], environment: try prepareJob(launcher: "mpirun"))
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
      let started = (try? String(contentsOf: events, encoding: .utf8)) ?? ""
      if started.split(separator: "\n").count == 2 { break }
      usleep(200_000)
    }
    let signal = try ScriptRunner.run(
      ["scancel", "--batch", "--signal=USR1", job], environment: environment)
    XCTAssertEqual(signal.status, 0, signal.stderr)
    try assertSavedRequeuedResumed(job, launcher: "mpirun")
  }
}
