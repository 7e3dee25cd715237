import Foundation
import TestSupport
import XCTest

/// Mistakes found before MPI starts are one line from the first rank, with a non-zero status and
/// without Open MPI's MPI_ABORT banner, even under `mpirun -np 2`. (`mpirun` itself adds a
/// four-line note whenever a process exits non-zero, unless run quiet: `-q`, or as here
/// `OMPI_MCA_orte_execute_quiet=1`; with it the output is the one line.)
final class StartupErrorTests: XCTestCase {
  private let quiet = ["OMPI_MCA_orte_execute_quiet": "1"]

  /// Runs `args` on two ranks under a quiet mpirun; the output must be exactly `expected`, and
  /// the status non-zero.
  private func assertOneLine(
    _ args: [String], _ expected: String, file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let job = try SeqboatJob.run(ranks: 2, args, limit: 60, environment: quiet)
    XCTAssertNotEqual(job.exitCode, 0, job.output, file: file, line: line)
    XCTAssertFalse(job.output.contains("MPI_ABORT"), job.output, file: file, line: line)
    let lines = job.output.split(separator: "\n").filter {
      !$0.trimmingCharacters(in: .whitespaces).isEmpty
    }
    XCTAssertEqual(lines, [Substring(expected)], job.output, file: file, line: line)
  }

  func testTypoUnderMpirunIsOneLineWithASuggestion() throws {
    let f = try TrainingFixture(count: 100)
    let args = f.train(TrainingFixture.mega, "t", updates: 1) + ["--max-updates", "5"]
    let expected = "seqboat: train: unknown option --max-updates (did you mean --max-update?)"
    try assertOneLine(args, expected)
    let plain = try SeqboatJob.run(ranks: 2, args, limit: 60)
    XCTAssertNotEqual(plain.exitCode, 0, plain.output)
    XCTAssertFalse(plain.output.contains("MPI_ABORT"), plain.output)
    XCTAssertEqual(plain.lines(containing: "seqboat").count, 1, plain.output)
    XCTAssertEqual(plain.lines(containing: expected).count, 1, plain.output)
  }

  func testMissingFilesUnderMpirunAreOneLineNamingTheFile() throws {
    let f = try TrainingFixture(count: 100)
    let nope = f.path("data/nope.h5")
    var args = f.train(TrainingFixture.mega, "m", updates: 1)
    args[args.firstIndex(of: f.data)!] = nope
    try assertOneLine(args, "seqboat: train: \(nope): file not found")
    let restore = f.train(TrainingFixture.mega, "r", updates: 1) + ["--restore-file", nope]
    try assertOneLine(restore, "seqboat: train: --restore-file \(nope): file not found")
    let eval = ["eval", "--checkpoint", nope, "--data", f.data]
    try assertOneLine(eval, "seqboat: eval: \(nope): file not found")
  }

  /// A file where the save folder should be is refused before any update.
  func testSaveDirThatIsAFileIsRefused() throws {
    let f = try TrainingFixture(count: 100)
    let blocker = f.path("blocker")
    XCTAssertTrue(FileManager.default.createFile(atPath: blocker, contents: Data()))
    var args = f.train(TrainingFixture.mega, "x", updates: 1)
    args[args.firstIndex(of: f.path("x"))!] = blocker + "/run"
    try assertOneLine(args, "seqboat: train: --save-dir \(blocker)/run: \(blocker) is not a folder")
  }

  /// Every command's parser errors are one line; a mistyped option names the closest one.
  func testEveryCommandSuggestsTheClosestOption() throws {
    let cases: [([String], String)] = [
      (["eval", "--chekpoint", "x.h5", "--data", "y.h5"], "--checkpoint"),
      (["bench", "--confg", "tiny"], "--config"),
      (["inspect", "--archh", "mega_lra_listop"], "--arch"),
      (["prep", "listops", "--generat", "5", "--out", "/tmp/x.h5"], "--generate"),
    ]
    for (args, suggestion) in cases {
      let job = try SeqboatJob.run(ranks: 2, args, limit: 60, environment: quiet)
      XCTAssertNotEqual(job.exitCode, 0, job.output)
      XCTAssertFalse(job.output.contains("MPI_ABORT"), job.output)
      let lines = job.output.split(separator: "\n").filter { !$0.isEmpty }
      XCTAssertEqual(lines.count, 1, job.output)
      XCTAssertTrue(
        lines.first?.hasSuffix("(did you mean \(suggestion)?)") ?? false, job.output)
    }
  }
}
