import TestSupport
import XCTest

/// The shared launcher (jobs/launch.sh): environment overrides and its refusals, through a real
/// job script's dry run.
final class JobLauncherTests: XCTestCase {
  private let script = "jobs/lra/listops-mega.sbatch"

  /// A dry run of `script` with the built binary, plus `environment`.
  private func dryRun(_ environment: [String: String], script: String? = nil) throws
    -> ScriptResult
  {
    let base = ["SEQBOAT_DRY_RUN": "1", "SEQBOAT_BIN": try SeqboatJob.executable().path]
    return try ScriptRunner.run(
      ["bash", script ?? self.script], environment: base.merging(environment) { $1 })
  }

  func testEnvironmentOverridesPathsSeedAndFlags() throws {
    let result = try dryRun([
      "SLURM_NTASKS": "2", "SEQBOAT_DATA": "/d/small.h5",
      "SEQBOAT_SAVE_DIR": "/s/run", "SEQBOAT_LOG_FILE": "/l/log.jsonl", "SEQBOAT_SEED": "7",
      "SEQBOAT_UPDATE_FREQ": "2", "SEQBOAT_EXTRA_ARGS": "--max-update 20 --batch-size 8 --fp16",
    ])
    XCTAssertEqual(result.status, 0, result.stderr)
    let words = try ScriptRunner.shellWords(result.stdout.trimmingCharacters(in: .newlines))
    let command = try XCTUnwrap(TrainCommandLine(words: words), result.stdout)
    XCTAssertEqual(command.program, try SeqboatJob.executable().path)
    XCTAssertEqual(command.repeated, [])
    XCTAssertEqual(command.flags["--data"], "/d/small.h5")
    XCTAssertEqual(command.flags["--save-dir"], "/s/run")
    XCTAssertEqual(command.flags["--log-file"], "/l/log.jsonl")
    XCTAssertEqual(command.flags["--seed"], "7")
    XCTAssertEqual(command.flags["--update-freq"], "2")
    XCTAssertEqual(command.flags["--max-update"], "20")
    XCTAssertEqual(command.flags["--batch-size"], "8")
    XCTAssertEqual(command.flags["--fp16"], "")
    XCTAssertEqual(command.flags["--lr"], "0.001", "flags not overridden keep the paper's value")
    XCTAssertTrue(words.contains("--chunk-size=-1"), "a negative value is attached with '='")
  }

  func testDefaultPathsLieUnderTheRepository() throws {
    let root = ScriptRunner.root.standardizedFileURL.path
    guard FileManager.default.isExecutableFile(atPath: "\(root)/.build/release/seqboat") else {
      throw XCTSkip("\(root)/.build/release/seqboat not built")
    }
    let result = try dryRun(["SLURM_NTASKS": "1", "SEQBOAT_BIN": ""])
    XCTAssertEqual(result.status, 0, result.stderr)
    let words = try ScriptRunner.shellWords(result.stdout.trimmingCharacters(in: .newlines))
    let command = try XCTUnwrap(TrainCommandLine(words: words))
    XCTAssertEqual(command.program, "\(root)/.build/release/seqboat")
    XCTAssertEqual(command.flags["--data"], "\(root)/data/listops.h5")
    XCTAssertEqual(command.flags["--save-dir"], "\(root)/checkpoints/listops-mega")
  }

  func testRefusesRankCountThatDoesNotDivideTheBatch() throws {
    let result = try dryRun(["SLURM_NTASKS": "3"])
    XCTAssertEqual(result.status, 2)
    XCTAssertEqual(result.stdout, "")
    XCTAssertTrue(result.stderr.contains("--batch-size 64"), result.stderr)
    XCTAssertTrue(result.stderr.contains("over 3 ranks"), result.stderr)
  }

  func testRefusesMalformedExtraArguments() throws {
    let stray = try dryRun(["SEQBOAT_EXTRA_ARGS": "oops"])
    XCTAssertEqual(stray.status, 2)
    XCTAssertTrue(stray.stderr.contains("expected a --flag, got 'oops'"), stray.stderr)
    let dangling = try dryRun(["SEQBOAT_EXTRA_ARGS": "--lr"])
    XCTAssertEqual(dangling.status, 2)
    XCTAssertTrue(dangling.stderr.contains("flag --lr has no value"), dangling.stderr)
  }

  func testRefusesToRunOutsideSlurmOrWithoutBinaryOrData() throws {
    let binary = try SeqboatJob.executable().path
    let outside = try ScriptRunner.run(["bash", script], environment: ["SEQBOAT_BIN": binary])
    XCTAssertEqual(outside.status, 2)
    XCTAssertTrue(outside.stderr.contains("not inside a SLURM job"), outside.stderr)

    let noBinary = try ScriptRunner.run(
      ["bash", script], environment: ["SLURM_JOB_ID": "1", "SEQBOAT_BIN": "/nonexistent/seqboat"])
    XCTAssertEqual(noBinary.status, 2)
    XCTAssertTrue(noBinary.stderr.contains("'/nonexistent/seqboat' not found"), noBinary.stderr)

    let noData = try ScriptRunner.run(
      ["bash", script],
      environment: [
        "SLURM_JOB_ID": "1", "SEQBOAT_BIN": binary, "SEQBOAT_DATA": "/nonexistent.h5",
      ])
    XCTAssertEqual(noData.status, 2)
    XCTAssertTrue(noData.stderr.contains("'/nonexistent.h5' not found"), noData.stderr)

    let silent = try dryRun(["SEQBOAT_BIN": "/bin/true"])
    XCTAssertEqual(silent.status, 2)
    XCTAssertTrue(silent.stderr.contains("'/bin/true train-switches' gave no switch list"))
  }

  /// The switch list is the binary's: train's own flags and the model's store-true options
  /// take no value, and a binary that names another switch gets it parsed as one.
  func testSwitchesComeFromTheBinary() throws {
    let listed = try ScriptRunner.run([try SeqboatJob.executable().path, "train-switches"])
    XCTAssertEqual(listed.status, 0, listed.stderr)
    let switches = listed.stdout.split(separator: "\n").map(String.init)
    for name in ["--sentence-avg", "--fp16", "--sync-bn", "--encoder-normalize-before"] {
      XCTAssertTrue(switches.contains(name), "\(name) missing from \(switches)")
    }
    XCTAssertFalse(switches.contains("--lr"))
    let result = try dryRun([
      "SLURM_NTASKS": "1", "SEQBOAT_EXTRA_ARGS": "--sentence-avg --max-update 5",
    ])
    XCTAssertEqual(result.status, 0, result.stderr)
    let words = try ScriptRunner.shellWords(result.stdout.trimmingCharacters(in: .newlines))
    let command = try XCTUnwrap(TrainCommandLine(words: words), result.stdout)
    XCTAssertEqual(command.flags["--sentence-avg"], "")
    XCTAssertEqual(command.flags["--max-update"], "5")

    let folder = try temporaryFolder()
    let standIn = folder.appendingPathComponent("seqboat")
    try "#!/bin/sh\necho --weird\n".write(to: standIn, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: standIn.path)
    let other = try dryRun([
      "SLURM_NTASKS": "1", "SEQBOAT_BIN": standIn.path, "SEQBOAT_EXTRA_ARGS": "--weird --lr 0.5",
    ])
    XCTAssertEqual(other.status, 0, other.stderr)
    XCTAssertTrue(other.stdout.contains(" --lr 0.5 "), other.stdout)
    XCTAssertTrue(other.stdout.hasSuffix(" --weird\n"), other.stdout)
  }

  /// Outside SLURM the dry run takes the rank and thread counts from the script's #SBATCH lines:
  /// --ntasks, or --nodes times --ntasks-per-node.
  func testDryRunUsesTheScriptsTaskCount() throws {
    let result = try dryRun([:])
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(
      result.stderr.contains("dry run: srun, 32 ranks x 1 threads (from the script's #SBATCH"),
      result.stderr)
    let folder = try temporaryFolder()
    let nodes = folder.appendingPathComponent("nodes.sbatch")
    try """
    #!/bin/bash
    #SBATCH --nodes=2
    #SBATCH --ntasks-per-node 3
    #SBATCH -c 2
    source "\(ScriptRunner.root.path)/jobs/launch.sh"
    SEQBOAT_ROOT=\(ScriptRunner.root.path) seqboat_launch t t.h5 -- --arch a --batch-size 12
    #SBATCH --ntasks=5
    """.write(to: nodes, atomically: true, encoding: .utf8)
    let fromNodes = try dryRun([:], script: nodes.path)
    XCTAssertEqual(fromNodes.status, 0, fromNodes.stderr)
    XCTAssertTrue(fromNodes.stderr.contains("6 ranks x 2 threads"), fromNodes.stderr)
    let uneven = try dryRun(["SEQBOAT_EXTRA_ARGS": "--batch-size 8"], script: nodes.path)
    XCTAssertEqual(uneven.status, 2)
    XCTAssertTrue(uneven.stderr.contains("over 6 ranks"), uneven.stderr)
  }
}
