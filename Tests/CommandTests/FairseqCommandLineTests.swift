import Foundation
import XCTest

/// The reference repositories' paper command lines (`FairseqRecipeLines`) run with `seqboat train`
/// after changing only the data path, the save folder, the seed and the batch size (fairseq's
/// per-GPU figure times `--update-freq`: the global batch of one GPU; likewise `--max-tokens`):
/// every flag is parsed, honoured, accepted as a no-op or refused by name. Each line runs against
/// a data file that does not exist and must get as far as opening it; the ListOps lines also train
/// two updates on generated ListOps, the language-model lines three on a small WikiText stream.
final class FairseqCommandLineTests: XCTestCase {
  /// Flags that other open issues add (wandb); the test drops them, with their values, before
  /// running a line.
  static let dropped: [String: Int] = ["--wandb-project": 1]

  /// Model-size options of the language-model lines replaced (or added) when they train, so that
  /// a few updates take seconds: one narrow layer, a small vocabulary, chunks of 8 tokens (the
  /// variable blocks are then 16–48 or 16–32 tokens); the adaptive line's cutoffs shrink with the
  /// vocabulary. Every other flag is the recipe's.
  static let shrunk: [String: String] = [
    "--decoder-hidden-dim": "32", "--decoder-chunk-size": "8", "--decoder-layers": "1",
    "--decoder-embed-dim": "16", "--decoder-z-dim": "8", "--decoder-n-dim": "4",
    "--decoder-ffn-embed-dim": "32", "--vocab-size": "64",
  ]
  static let shrunkAdaptive = [
    "--adaptive-input-cutoff": "8,16", "--adaptive-softmax-cutoff": "8,16",
  ]

  private var binary: URL {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("seqboat")
  }

  /// The words of recipe `r` with the scripts' variables filled in and `dropped` flags removed.
  func words(
    _ r: (source: String, arch: String, chunk: String, line: String), data: String,
    save: String, batch: Int? = nil, updates: Int? = nil, shrink: [String: String] = [:]
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
      } else if let batch, ["--batch-size", "--max-tokens", "--update-freq"].contains(word) {
        out += [word, word == "--update-freq" ? "1" : "\(batch)"]
        all = all.dropFirst()
      } else if let value = shrink[word] {
        out += [word, value]
        all = all.dropFirst()
      } else if let updates, word == "--max-update" {
        out += [word, "\(updates)"]
        all = all.dropFirst()
      } else {
        out.append(word)
      }
    }
    let added = shrink.filter { !out.contains($0.key) }.sorted { $0.key < $1.key }
    return ["train"] + out + added.flatMap { [$0.key, $0.value] }
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
      let expected = "train: \(missing):"
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

  /// The language-model lines (variable blocks, `--max-tokens`, `--valid-block`) train three
  /// updates each on a small WikiText-103-style stream, with the model shrunk (`shrunk`).
  func testLanguageModelLinesTrainOnAWikiTextStream() throws {
    let dir = try temporaryFolder()
    let raw = dir.appendingPathComponent("wikitext-103")
    try FileManager.default.createDirectory(at: raw, withIntermediateDirectories: true)
    let vocabulary = [
      "the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "far", "away", "home",
    ]
    for (split, lines) in [("train", 400), ("valid", 40), ("test", 40)] {
      let text = (0..<lines).map { line in
        " "
          + (0..<(4 + line % 9)).map { vocabulary[(line * 7 + $0 * 5) % vocabulary.count] }
          .joined(separator: " ") + " \n"
      }.joined()
      try text.write(
        to: raw.appendingPathComponent("wiki.\(split).tokens"), atomically: true, encoding: .utf8)
    }
    let data = dir.appendingPathComponent("wt.h5").path
    let prep = try ScriptRunner.run([
      binary.path, "prep", "wikitext103", "--raw", dir.path, "--out", data,
    ])
    XCTAssertEqual(prep.status, 0, prep.stderr)
    for r in FairseqRecipeLines.all where r.arch.hasPrefix("mega_lm") {
      let save = dir.appendingPathComponent(r.arch).path
      let adaptive = r.line.contains("adaptive_loss")
      let args = try words(
        r, data: data, save: save, batch: 96, updates: 3,
        shrink: Self.shrunk.merging(adaptive ? Self.shrunkAdaptive : [:]) { a, _ in a })
      let run = try ScriptRunner.run(
        [binary.path] + args, environment: mpiEnvironment, timeout: 300)
      XCTAssertEqual(run.status, 0, "\(r.source) \(r.arch): \(run.stderr)")
      XCTAssertTrue(run.stdout.contains("valid on 'valid' subset"), run.stdout)
      XCTAssertTrue(FileManager.default.fileExists(atPath: save + "/checkpoint_last.h5"), r.arch)
    }
  }
}
