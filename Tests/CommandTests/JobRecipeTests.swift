import TestSupport
import XCTest

/// Every job script renders (dry run) exactly the paper's hyperparameters of MODEL.md 6.5, and its
/// #SBATCH header asks for requeue, the save signal and a rank count that divides the batch.
final class JobRecipeTests: XCTestCase {
  func testEveryScriptHasAPaperRecipeAndEveryRecipeAScript() {
    let scripts = Set(
      ScriptRunner.files(under: "jobs", suffix: ".sbatch").filter {
        !$0.hasPrefix(PaperRecipe.multiNodeFolder)
      })
    let recipes = Set(PaperRecipe.all.map(\.script))
    XCTAssertEqual(recipes.count, PaperRecipe.all.count, "a script appears twice in the table")
    XCTAssertEqual(scripts.subtracting(recipes).sorted(), [], "scripts without a recipe")
    XCTAssertEqual(recipes.subtracting(scripts).sorted(), [], "recipes without a script")
  }

  func testDryRunCommandMatchesThePaper() throws {
    let binary = try SeqboatJob.executable().path
    for recipe in PaperRecipe.all {
      let environment = [
        "SEQBOAT_DRY_RUN": "1", "SEQBOAT_BIN": binary, "SEQBOAT_DATA_DIR": "/data",
        "SEQBOAT_CKPT_DIR": "/ckpt", "SLURM_NTASKS": "\(recipe.ranks)",
      ]
      let result = try ScriptRunner.run(["bash", recipe.script], environment: environment)
      XCTAssertEqual(result.status, 0, "\(recipe.script): \(result.stderr)")
      let lines = result.stdout.split(separator: "\n")
      XCTAssertEqual(lines.count, 1, "\(recipe.script) prints one command line")
      let words = try ScriptRunner.shellWords(String(lines.first ?? ""))
      guard let command = TrainCommandLine(words: words) else {
        XCTFail("\(recipe.script): not a seqboat train command: \(result.stdout)")
        continue
      }
      XCTAssertEqual(command.program, binary, recipe.script)
      XCTAssertEqual(command.repeated, [], "\(recipe.script) repeats flags")

      var expected = recipe.expectedFlags
      expected["--data"] = "/data/\(recipe.data)"
      expected["--save-dir"] = "/ckpt/\(recipe.runName)"
      expected["--log-file"] = "/ckpt/\(recipe.runName)/train.jsonl"
      expected["--seed"] = "1"
      expected["--collective-timeout"] = "20"
      XCTAssertEqual(
        Set(command.flags.keys).symmetricDifference(expected.keys).sorted(), [],
        "\(recipe.script): flags passed vs. expected differ")
      for (flag, value) in expected {
        guard let actual = command.flags[flag] else { continue }
        XCTAssertTrue(
          TrainCommandLine.sameValue(actual, value),
          "\(recipe.script): \(flag) is \(actual), the paper says \(value)")
      }
    }
  }

  func testSbatchHeaderRequeuesSignalsAndDividesTheBatch() throws {
    for recipe in PaperRecipe.all {
      let text = try String(
        contentsOf: ScriptRunner.root.appendingPathComponent(recipe.script), encoding: .utf8)
      let directives = text.split(separator: "\n").filter { $0.hasPrefix("#SBATCH ") }
        .map { String($0.dropFirst("#SBATCH ".count)) }
      XCTAssertTrue(text.hasPrefix("#!/bin/bash\n"), recipe.script)
      XCTAssertTrue(directives.contains("--requeue"), "\(recipe.script) lacks --requeue")
      XCTAssertTrue(directives.contains("--open-mode=append"), "\(recipe.script): log truncated")
      XCTAssertTrue(directives.contains("--ntasks=\(recipe.ranks)"), "\(recipe.script) ranks")
      let signal = directives.first { $0.hasPrefix("--signal=B:USR1@") }
      let lead = signal.flatMap { Int($0.dropFirst("--signal=B:USR1@".count)) } ?? 0
      XCTAssertGreaterThanOrEqual(lead, 60, "\(recipe.script): --signal=B:USR1@<seconds> missing")
      XCTAssertEqual(
        recipe.batch % (recipe.updateFreq * recipe.ranks), 0,
        "\(recipe.script): \(recipe.ranks) ranks do not divide the micro-batch")
    }
  }
}
