import Foundation
import XCTest

/// The reference repositories' paper command lines (`FairseqRecipeLines`) run with `seqboat train`
/// after changing only the data path, the save folder, the seed and the batch size (fairseq's
/// per-GPU figure times `--update-freq`: the global batch of one GPU): every flag is
/// parsed, honoured, accepted as a no-op or refused by name. Each line runs against a data file that
/// does not exist and must get as far as opening it; the ListOps lines also train two updates on
/// generated ListOps.
final class FairseqCommandLineTests: XCTestCase {
  /// Flags that other open issues add (checkpoint selection, console format, token batching,
  /// wandb); the test drops them, with their values, before running a line.
  static let dropped: [String: Int] = [
    "--keep-last-epochs": 1, "--log-format": 1, "--best-checkpoint-metric": 1,
    "--maximize-best-checkpoint-metric": 0, "--max-tokens": 1, "--wandb-project": 1,
  ]

  /// What still stops a line, by source (the language-model recipes use fairseq's variant block
  /// lengths, which are not implemented).
  static let refused: [String: String] = [
    "mega_lm_adaptive_big": "--variant-block-multiple-min 2: only 1 is implemented",
    "mega_lm_enwik8_base": "--variant-block-multiple-min 2: only 1 is implemented",
  ]

  private var binary: URL {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("seqboat")
  }

  /// The words of recipe `r` with the scripts' variables filled in and `dropped` flags removed.
  func words(
    _ r: (source: String, arch: String, chunk: String, line: String), data: String,
    save: String, batch: Int? = nil, updates: Int? = nil
  ) throws -> [String] {
    var line = r.line.replacingOccurrences(of: "python -u train.py ", with: "")
    for (name, value) in [
      ("${DATA}", data), ("${SAVE}", save), ("${seed}", "1"), ("$seed", "1"),
      ("${CHUNK}", r.chunk.isEmpty ? "-1" : r.chunk), ("$CHUNK", r.chunk.isEmpty ? "-1" : r.chunk),
      ("${model}", r.arch),
    ] {
      line = line.replacingOccurrences(of: name, with: value)
    }
    var out: [String] = []
    let parsed = try ScriptRunner.shellWords(line)
    var all = parsed[...]
    let freq = parsed.firstIndex(of: "--update-freq").map { Int(parsed[$0 + 1])! } ?? 1
    while let word = all.popFirst() {
      if let skip = Self.dropped[word] {
        all = all.dropFirst(skip)
      } else if batch == nil, word == "--batch-size", let perGPU = all.popFirst() {
        out += [word, "\(Int(perGPU)! * freq)"]  // fairseq's per-GPU batch on one GPU, global
      } else if let batch, word == "--batch-size" || word == "--update-freq" {
        out += [word, word == "--batch-size" ? "\(batch)" : "1"]
        all = all.dropFirst()
      } else if let updates, word == "--max-update" {
        out += [word, "\(updates)"]
        all = all.dropFirst()
      } else {
        out.append(word)
      }
    }
    return ["train"] + out
  }

  private let mpiEnvironment = [
    "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OPENBLAS_NUM_THREADS": "1",
  ]

  func testEveryRecipeLineIsAcceptedUpToTheData() throws {
    let dir = try temporaryFolder()
    let missing = dir.appendingPathComponent("missing.h5").path
    XCTAssertEqual(FairseqRecipeLines.all.count, 17)
    for r in FairseqRecipeLines.all {
      let args = try words(r, data: missing, save: dir.appendingPathComponent("save").path)
      let run = try ScriptRunner.run([binary.path] + args, environment: mpiEnvironment)
      XCTAssertNotEqual(run.status, 0, r.source)
      let expected = Self.refused[r.arch] ?? "train: \(missing):"
      XCTAssertTrue(
        run.stderr.contains(expected), "\(r.source) \(r.arch): wanted '\(expected)':\n\(run.stderr)"
      )
    }
  }

  func testListOpsLinesTrainOnGeneratedListOps() throws {
    let dir = try temporaryFolder()
    let data = dir.appendingPathComponent("listops.h5").path
    let prep = try ScriptRunner.run([
      binary.path, "prep", "listops", "--generate", "40", "--min-len", "20", "--max-len", "120",
      "--seed", "1", "--out", data,
    ])
    XCTAssertEqual(prep.status, 0, prep.stderr)
    for r in FairseqRecipeLines.all where r.arch.hasSuffix("lra_listop") {
      let save = dir.appendingPathComponent(r.arch).path
      let args = try words(r, data: data, save: save, batch: 4, updates: 2)
      let run = try ScriptRunner.run(
        [binary.path] + args, environment: mpiEnvironment, timeout: 300)
      XCTAssertEqual(run.status, 0, "\(r.source): \(run.stderr)")
      XCTAssertTrue(
        FileManager.default.fileExists(atPath: save + "/checkpoint_last.h5"), r.source)
    }
  }
}
