import Foundation
import XCTest

/// tools/hostfile-from-slurm.sh: an Open MPI hostfile from SLURM's node list and task counts.
final class HostfileFromSlurmTests: LocalSlurmTestCase {
  func hostfile(_ variables: [String: String]) throws -> ScriptResult {
    try ScriptRunner.run(
      ["tools/hostfile-from-slurm.sh"], environment: environment.merging(variables) { $1 })
  }

  func testExpandsTheNodeListAndTaskCounts() throws {
    let listed = try hostfile([
      "SLURM_JOB_NODELIST": "node[01-03,07]", "SLURM_TASKS_PER_NODE": "2(x3),1",
    ])
    XCTAssertEqual(listed.status, 0, listed.stderr)
    XCTAssertEqual(
      listed.stdout, "node01 slots=2\nnode02 slots=2\nnode03 slots=2\nnode07 slots=1\n")
    let even = try hostfile(["SLURM_JOB_NODELIST": "a,b", "SLURM_NTASKS_PER_NODE": "4"])
    XCTAssertEqual(even.stdout, "a slots=4\nb slots=4\n", even.stderr)

    let short = try hostfile([
      "SLURM_JOB_NODELIST": "node[1-4]", "SLURM_TASKS_PER_NODE": "2(x2)",
    ])
    XCTAssertEqual(short.status, 1)
    XCTAssertEqual(short.stderr.split(separator: "\n").count, 1, short.stderr)
    XCTAssertTrue(short.stderr.contains("gives 2 nodes"), short.stderr)
    let outside = try hostfile([:])
    XCTAssertEqual(outside.status, 1)
    XCTAssertTrue(outside.stderr.contains("SLURM_JOB_NODELIST is not set"), outside.stderr)
  }

  /// Inside a batch job the file it writes starts the job's ranks with `mpirun --hostfile`.
  func testHostfileOfABatchJobStartsMpirun() throws {
    let file = folder.appendingPathComponent("hosts").path
    let output = folder.appendingPathComponent("job.out").path
    let wrap =
      "tools/hostfile-from-slurm.sh \(file) && OMPI_ALLOW_RUN_AS_ROOT=1 "
      + "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun --hostfile \(file) -np 2 hostname"
    let submit = try ScriptRunner.run(
      ["sbatch", "--parsable", "-n", "2", "-o", output, "--wrap", wrap], environment: environment)
    XCTAssertEqual(submit.status, 0, submit.stderr)
    let job = submit.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    XCTAssertTrue(try waitForJob(job, timeout: 120), "job \(job) still queued after 120 s")
    XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "localhost slots=2\n")
    let host = try ScriptRunner.run(["hostname"]).stdout
    XCTAssertEqual(try String(contentsOfFile: output, encoding: .utf8), host + host)
  }
}
