import Foundation
import TestSupport
import XCTest

extension PaperRecipe {
  /// Folder of the multi-node forms of the scripts.
  static let multiNodeFolder = "jobs/multinode/"

  /// The multi-node form of the script: `jobs/multinode/<task>/<name>.sbatch`.
  var multiNodeScript: String { PaperRecipe.multiNodeFolder + script.dropFirst("jobs/".count) }
}

/// The multi-node form of every paper script (jobs/multinode/): the same run on `--nodes` ×
/// `--ntasks-per-node` ranks (as many as the one-node script), started with mpirun.
final class MultiNodeJobTests: XCTestCase {
  /// The `#SBATCH` directives of `script`.
  func directives(_ script: String) throws -> [String] {
    let text = try String(
      contentsOf: ScriptRunner.root.appendingPathComponent(script), encoding: .utf8)
    return text.split(separator: "\n").filter { $0.hasPrefix("#SBATCH ") }
      .map { String($0.dropFirst("#SBATCH ".count)) }
  }

  /// The integer value of `--name=V` among `directives`.
  func value(_ name: String, _ directives: [String]) -> Int? {
    directives.first { $0.hasPrefix("--\(name)=") }.flatMap { Int($0.split(separator: "=")[1]) }
  }

  func testEveryRecipeHasAMultiNodeScriptAndNoOther() {
    let scripts = Set(
      ScriptRunner.files(under: "jobs", suffix: ".sbatch").filter {
        $0.hasPrefix(PaperRecipe.multiNodeFolder)
      })
    XCTAssertEqual(scripts, Set(PaperRecipe.all.map(\.multiNodeScript)))
  }

  func testHeaderSpreadsTheRanksOverSeveralNodes() throws {
    for recipe in PaperRecipe.all {
      let script = recipe.multiNodeScript
      let header = try directives(script)
      let single = try directives(recipe.script)
      let nodes = value("nodes", header) ?? 0
      XCTAssertGreaterThan(nodes, 1, "\(script): --nodes")
      XCTAssertEqual(nodes * (value("ntasks-per-node", header) ?? 0), recipe.ranks, script)
      XCTAssertNil(value("ntasks", header), "\(script): --ntasks beside --ntasks-per-node")
      XCTAssertEqual(value("cpus-per-task", header), value("cpus-per-task", single), script)
      for kept in ["--requeue", "--open-mode=append"] + single.filter({ $0.hasPrefix("--signal") })
      {
        XCTAssertTrue(header.contains(kept), "\(script) lacks \(kept)")
      }
    }
  }

  /// The dry run prints the one-node script's command word for word, with mpirun and the
  /// script's rank and thread counts; SEQBOAT_DATA_CACHE adds --data-cache.
  func testDryRunIsTheOneNodeRunWithMpirun() throws {
    let binary = try SeqboatJob.executable().path
    let base = [
      "SEQBOAT_DRY_RUN": "1", "SEQBOAT_BIN": binary, "SEQBOAT_DATA_DIR": "/data",
      "SEQBOAT_CKPT_DIR": "/ckpt",
    ]
    for recipe in PaperRecipe.all {
      let single = try ScriptRunner.run(
        ["bash", recipe.script],
        environment: base.merging(["SLURM_NTASKS": "\(recipe.ranks)"]) { $1 })
      let multi = try ScriptRunner.run(["bash", recipe.multiNodeScript], environment: base)
      XCTAssertEqual(multi.status, 0, "\(recipe.multiNodeScript): \(multi.stderr)")
      XCTAssertEqual(multi.stdout, single.stdout, recipe.multiNodeScript)
      let threads = try directives(recipe.script).first { $0.hasPrefix("--cpus-per-task=") }
      XCTAssertTrue(
        multi.stderr.contains(
          "dry run: mpirun, \(recipe.ranks) ranks x \(threads?.split(separator: "=")[1] ?? "?") threads"
        ),
        multi.stderr)
      let cached = try ScriptRunner.run(
        ["bash", recipe.multiNodeScript],
        environment: base.merging(["SEQBOAT_DATA_CACHE": "/local/scratch"]) { $1 })
      let words = try ScriptRunner.shellWords(cached.stdout.trimmingCharacters(in: .newlines))
      let command = try XCTUnwrap(TrainCommandLine(words: words), cached.stdout)
      XCTAssertEqual(command.flags["--data-cache"], "/local/scratch", recipe.multiNodeScript)
    }
  }
}
