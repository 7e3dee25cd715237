import Foundation
import XCTest

/// Starts a private one-node SLURM with tools/slurm-start.sh (own folder and ports, so it can run
/// next to another instance), runs real batch jobs on it, and stops it with tools/slurm-stop.sh.
final class LocalSlurmTests: XCTestCase {
  private var environment: [String: String] = [:]
  private var folder = URL(fileURLWithPath: "/")

  override func setUpWithError() throws {
    guard getuid() == 0 else { throw XCTSkip("the local SLURM needs root (munged, slurmd)") }
    let pid = Int(getpid())
    folder = URL(fileURLWithPath: "/tmp/seqboat-slurm-test-\(pid)-\(UUID().uuidString.prefix(8))")
    environment = [
      "SEQBOAT_SLURM_DIR": folder.appendingPathComponent("slurm").path,
      "SEQBOAT_SLURMCTLD_PORT": "\(17_000 + 2 * (pid % 1000))",
      "SEQBOAT_SLURMD_PORT": "\(17_001 + 2 * (pid % 1000))",
    ]
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    addTeardownBlock { [environment, folder] in
      let stop = try ScriptRunner.run(
        ["tools/slurm-stop.sh"], environment: environment, timeout: 90)
      XCTAssertEqual(stop.status, 0, stop.stderr)
      try? FileManager.default.removeItem(at: folder)
    }
    let start = try ScriptRunner.run(
      ["tools/slurm-start.sh"], environment: environment, timeout: 90)
    XCTAssertEqual(start.status, 0, start.stderr)
    let conf = folder.appendingPathComponent("slurm/slurm.conf").path
    XCTAssertEqual(start.stdout, "export SLURM_CONF=\(conf)\n")
    environment["SLURM_CONF"] = conf

    let again = try ScriptRunner.run(
      ["tools/slurm-start.sh"], environment: environment, timeout: 90)
    XCTAssertEqual(again.status, 0, again.stderr)
    XCTAssertTrue(again.stderr.contains("already running"), "start is idempotent: \(again.stderr)")
  }

  /// Polls until `job` has left the queue; false after `timeout` seconds.
  private func waitForJob(_ job: String, timeout: TimeInterval) throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      let queue = try ScriptRunner.run(["squeue", "-h", "-j", job], environment: environment)
      if queue.status == 0 && queue.stdout.isEmpty { return true }
      sleep(1)
    }
    return false
  }

  func testBatchJobRunsTwoRanksWithMpirunAndSrun() throws {
    let output = folder.appendingPathComponent("hostname.out").path
    let wrap = [
      "hostname",
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 hostname",
      "srun --mpi=pmix -n 2 hostname",
    ].joined(separator: "; ")
    let job = try ScriptRunner.run(
      ["sbatch", "--parsable", "--wait", "-n", "2", "-o", output, "--wrap", wrap],
      environment: environment, timeout: 120)
    XCTAssertEqual(job.status, 0, job.stderr)
    let host = try ScriptRunner.run(["hostname"]).stdout.trimmingCharacters(in: .newlines)
    let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
    XCTAssertEqual(lines, Array(repeating: Substring(host), count: 5), "1 + 2 (mpirun) + 2 (srun)")
  }

  /// The preemption contract of jobs/launch.sh with a stand-in for `seqboat train` that keeps the
  /// trainer's side of it (on SIGUSR1/SIGTERM: rank 0 writes checkpoint_last.h5, every rank exits
  /// 75; with a checkpoint present: resume and exit 0). The script's own `--signal=B:USR1@300`
  /// fires under a 5-minute limit; the job must save, requeue itself, resume and complete.
  func testSignalledJobSavesRequeuesItselfAndResumes() throws {
    let standIn = folder.appendingPathComponent("seqboat")
    let events = folder.appendingPathComponent("events").path
    try """
    #!/bin/bash
    [[ $1 == train ]] || exit 64
    save=""; prev=""
    for a in "$@"; do [[ $prev == --save-dir ]] && save=$a; prev=$a; done
    r=${SLURM_PROCID:-x}
    if [[ -e $save/checkpoint_last.h5 ]]; then echo "resumed $r" >>\(events); exit 0; fi
    trap '[[ $r == 0 ]] && touch "$save/checkpoint_last.h5"; echo "saved $r" >>\(events); exit 75' \
      USR1 TERM
    echo "started $r" >>\(events)
    for i in $(seq 3000); do sleep 0.1; done
    exit 0
    """.write(to: standIn, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: standIn.path)
    let data = folder.appendingPathComponent("listops.h5")
    try Data().write(to: data)
    let save = folder.appendingPathComponent("ckpt")
    let output = folder.appendingPathComponent("job.out").path

    var jobEnvironment = environment
    jobEnvironment["SEQBOAT_BIN"] = standIn.path
    jobEnvironment["SEQBOAT_DATA"] = data.path
    jobEnvironment["SEQBOAT_SAVE_DIR"] = save.path
    let submit = try ScriptRunner.run(
      [
        "sbatch", "--parsable", "-n", "2", "--time=5", "-o", output, "jobs/lra/listops-mega.sbatch",
      ],
      environment: jobEnvironment)
    XCTAssertEqual(submit.status, 0, submit.stderr)
    let job = submit.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    XCTAssertTrue(try waitForJob(job, timeout: 240), "job \(job) still queued after 240 s")

    let record = try ScriptRunner.run(["scontrol", "show", "job", job], environment: environment)
    XCTAssertTrue(record.stdout.contains("JobState=COMPLETED"), record.stdout)
    XCTAssertTrue(record.stdout.contains("Restarts=1"), record.stdout)
    let log = try String(contentsOfFile: output, encoding: .utf8)
    for line in [
      "(restart 0): srun, 2 ranks", "got SIGUSR1", "exit 75: checkpoint saved; requeueing",
      "(restart 1): srun, 2 ranks", "training finished",
    ] {
      XCTAssertTrue(log.contains(line), "job log lacks '\(line)':\n\(log)")
    }
    let happened = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n")
    XCTAssertEqual(
      happened.sorted(),
      ["resumed 0", "resumed 1", "saved 0", "saved 1", "started 0", "started 1"])
    XCTAssertTrue(
      FileManager.default.fileExists(atPath: save.appendingPathComponent("command.txt").path))
  }
}
