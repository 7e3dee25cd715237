import XCTest

/// The shared launcher (jobs/launch.sh): environment overrides and its refusals, through a real
/// job script's dry run.
final class JobLauncherTests: XCTestCase {
  private let script = "jobs/lra/listops-mega.sbatch"

  private func dryRun(_ environment: [String: String]) throws -> ScriptResult {
    try ScriptRunner.run(
      ["bash", script], environment: ["SEQBOAT_DRY_RUN": "1"].merging(environment) { $1 })
  }

  func testEnvironmentOverridesPathsSeedAndFlags() throws {
    let result = try dryRun([
      "SLURM_NTASKS": "2", "SEQBOAT_BIN": "/b/seqboat", "SEQBOAT_DATA": "/d/small.h5",
      "SEQBOAT_SAVE_DIR": "/s/run", "SEQBOAT_LOG_FILE": "/l/log.jsonl", "SEQBOAT_SEED": "7",
      "SEQBOAT_UPDATE_FREQ": "2", "SEQBOAT_EXTRA_ARGS": "--max-update 20 --batch-size 8 --fp16",
    ])
    XCTAssertEqual(result.status, 0, result.stderr)
    let words = try ScriptRunner.shellWords(result.stdout.trimmingCharacters(in: .newlines))
    let command = try XCTUnwrap(TrainCommandLine(words: words), result.stdout)
    XCTAssertEqual(command.program, "/b/seqboat")
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
    let result = try dryRun(["SLURM_NTASKS": "1"])
    XCTAssertEqual(result.status, 0, result.stderr)
    let words = try ScriptRunner.shellWords(result.stdout.trimmingCharacters(in: .newlines))
    let command = try XCTUnwrap(TrainCommandLine(words: words))
    let root = ScriptRunner.root.standardizedFileURL.path
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
    let outside = try ScriptRunner.run(["bash", script])
    XCTAssertEqual(outside.status, 2)
    XCTAssertTrue(outside.stderr.contains("not inside a SLURM job"), outside.stderr)

    let noBinary = try ScriptRunner.run(
      ["bash", script], environment: ["SLURM_JOB_ID": "1", "SEQBOAT_BIN": "/nonexistent/seqboat"])
    XCTAssertEqual(noBinary.status, 2)
    XCTAssertTrue(noBinary.stderr.contains("'/nonexistent/seqboat' not found"), noBinary.stderr)

    let noData = try ScriptRunner.run(
      ["bash", script],
      environment: [
        "SLURM_JOB_ID": "1", "SEQBOAT_BIN": "/bin/true", "SEQBOAT_DATA": "/nonexistent.h5",
      ])
    XCTAssertEqual(noData.status, 2)
    XCTAssertTrue(noData.stderr.contains("'/nonexistent.h5' not found"), noData.stderr)
  }
}
