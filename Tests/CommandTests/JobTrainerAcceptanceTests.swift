import Foundation
import XCTest

/// The built `seqboat train` accepts every job script's command line: each is run with a data file
/// that does not exist, and the run must get as far as opening it (every flag and model override
/// parsed and applied to the --arch preset) and stop there with one line naming the file.
final class JobTrainerAcceptanceTests: XCTestCase {
  func testTrainerAcceptsEveryScriptsFlags() throws {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("seqboat")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
      throw XCTSkip("\(binary.path) not built")
    }
    let missing = "/nonexistent-\(UUID().uuidString).h5"
    let save = FileManager.default.temporaryDirectory
      .appendingPathComponent("seqboat-accept-\(UUID().uuidString)")
    addTeardownBlock { try? FileManager.default.removeItem(at: save) }
    for recipe in PaperRecipe.all {
      let dryRun = try ScriptRunner.run(
        ["bash", recipe.script],
        environment: [
          "SEQBOAT_DRY_RUN": "1", "SEQBOAT_BIN": binary.path, "SEQBOAT_DATA": missing,
          "SEQBOAT_SAVE_DIR": save.path, "SLURM_NTASKS": "1",
        ])
      XCTAssertEqual(dryRun.status, 0, "\(recipe.script): \(dryRun.stderr)")
      let words = try ScriptRunner.shellWords(dryRun.stdout.trimmingCharacters(in: .newlines))
      let run = try ScriptRunner.run(
        words,
        environment: [
          "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
          "OPENBLAS_NUM_THREADS": "1",
        ])
      XCTAssertNotEqual(run.status, 0, recipe.script)
      XCTAssertTrue(
        run.stderr.contains("train: \(missing):"),
        "\(recipe.script) stopped before opening the data:\n\(run.stderr)")
    }
  }
}
