import Foundation
import XCTest

/// The local SLURM of tools/slurm-start.sh runs a two-rank batch job with mpirun and srun.
final class LocalSlurmTests: LocalSlurmTestCase {
  func testBatchJobRunsTwoRanksWithMpirunAndSrun() throws {
    let output = folder.appendingPathComponent("hostname.out").path
    let wrap = [
      "hostname",
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 hostname",
      "srun --mpi=pmix -n 2 hostname",
    ].joined(separator: "; ")
    let submit = try ScriptRunner.run(
      ["sbatch", "--parsable", "-n", "2", "-o", output, "--wrap", wrap], environment: environment)
    XCTAssertEqual(submit.status, 0, submit.stderr)
    let job = submit.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    XCTAssertTrue(try waitForJob(job, timeout: 120), "job \(job) still queued after 120 s")
    let record = try ScriptRunner.run(["scontrol", "show", "job", job], environment: environment)
    XCTAssertTrue(record.stdout.contains("JobState=COMPLETED"), record.stdout)
    XCTAssertTrue(record.stdout.contains("ExitCode=0:0"), record.stdout)
    let host = try ScriptRunner.run(["hostname"]).stdout.trimmingCharacters(in: .newlines)
    let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
    XCTAssertEqual(lines, Array(repeating: Substring(host), count: 5), "1 + 2 (mpirun) + 2 (srun)")
  }
}
