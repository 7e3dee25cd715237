import Foundation
import Tensor
import TestSupport
import XCTest

/// Every value-taking option of `seqboat train` (its own, and the model options of the LRA
/// classifiers' parser, both read from `train --help`), given hostile values (0, negatives, NaN,
/// infinities, huge, random numbers and words), ends the real binary in exit 0 or in an error line
/// naming the option (exit 1, or 64 for the argument parser's usage errors), never in a signal or
/// a hang. One draw per option, then more random draws until about 45 s have passed.
final class TrainFlagPropertyTests: XCTestCase {
  /// Options whose values are paths of this test's own files (the fault matrix and
  /// DataCacheTests cover them).
  static let paths: Set = [
    "--arch", "--data", "--save-dir", "--log-file", "--data-cache",
  ]

  /// The value-taking options listed by `train --help`: `OPTIONS` lines `--name <value>` and the
  /// LRA parser's `--name VALUE` / `--name a|b` entries.
  static func valueOptions(_ help: String) -> [String] {
    func matches(_ pattern: String, _ text: Substring) -> [String] {
      let regex = try! NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
      let s = String(text)
      return regex.matches(in: s, range: NSRange(s.startIndex..., in: s)).map {
        String(s[Range($0.range(at: 1), in: s)!])
      }
    }
    guard let lra = help.range(of: "lra models:"), let sc = help.range(of: "sc models:"),
      let options = help.range(of: "OPTIONS:")
    else { return [] }
    let model = matches(
      #"(--[a-z0-9-]+) (?:VALUE|[a-z0-9_]+(?:\|[a-z0-9_]+)+)"#,
      Substring(help[lra.upperBound..<sc.lowerBound].replacingOccurrences(of: "\n", with: " ")))
    let own = matches(#"^\s+(?:-\w, )?(--[a-z0-9-]+) <"#, help[options.upperBound...])
    var seen = Set<String>()
    return (own + model).filter { !paths.contains($0) && seen.insert($0).inserted }
  }

  /// A hostile value: a fixed edge case (huge ones exercise the memory check) or a random number;
  /// random integers stay within ±100, so a random layer count or width trains in seconds.
  static func draw(_ rng: inout SplitMix64) -> String {
    let edges = [
      "0", "-1", "-7", "nan", "inf", "-inf", "2147483648", "1e308", "99999999999999999999",
      "0.5", "1e-300", "x7",
    ]
    switch Int.random(in: 0..<4, using: &rng) {
    case 0: return "\(Int.random(in: -100...100, using: &rng))"
    case 1: return "\(Double.random(in: -10...10, using: &rng))"
    default: return edges.randomElement(using: &rng)!
    }
  }

  func testHostileValuesOfEveryOptionEndInExitOrOneNamedError() throws {
    let f = try TrainingFixture(count: 64)
    let help = try SeqboatJob.run(ranks: nil, ["train", "--help"], limit: 30).output
    let flags = TrainFlagPropertyTests.valueOptions(help)
    XCTAssertGreaterThan(flags.count, 70, "options read from train --help")
    XCTAssertTrue(flags.contains("--lr") && flags.contains("--encoder-embed-dim"), "\(flags)")
    let seed = UInt64.random(in: 0...UInt64.max)
    print("TrainFlagPropertyTests seed \(seed)")
    var rng = SplitMix64(seed: seed)
    let base = Dictionary(
      uniqueKeysWithValues: stride(from: 0, to: TrainingFixture.mega.count, by: 2).map {
        (TrainingFixture.mega[$0], TrainingFixture.mega[$0 + 1])
      })
    let end = Date().addingTimeInterval(45)
    var draws = flags.map { ($0, TrainFlagPropertyTests.draw(&rng)) }
    var index = 0
    var outcomes = [0: 0, 1: 0, 64: 0]
    while index < draws.count {
      let (flag, value) = draws[index]
      index += 1
      var options = base
      options[flag] = value
      let args =
        ["train"] + options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + [
          "--data", f.data, "--save-dir", f.path("p\(index)"), "--max-update", "1",
          "--max-epoch", "1", "--batch-size", "16",
        ]
      let job = try SeqboatJob.run(ranks: nil, args, limit: 60)
      let named = job.output.split(separator: "\n").contains {
        $0.contains(flag) && ($0.hasPrefix("seqboat") || $0.hasPrefix("Error:"))
      }
      let code = Int(job.exitCode)
      XCTAssertEqual(job.process.terminationReason, .exit, "\(flag)=\(value): \(job.output)")
      XCTAssertTrue(
        code == 0 || ([1, 64].contains(code) && named),
        "\(flag)=\(value): exit \(code)\n\(job.output)")
      outcomes[code, default: 0] += 1
      if index == draws.count, Date() < end {
        draws.append((flags.randomElement(using: &rng)!, TrainFlagPropertyTests.draw(&rng)))
      }
    }
    print("TrainFlagPropertyTests: \(draws.count) runs, exit codes \(outcomes)")
    XCTAssertGreaterThan(outcomes[0] ?? 0, 0, "some draws train")
    XCTAssertGreaterThan((outcomes[1] ?? 0) + (outcomes[64] ?? 0), 0, "some draws are refused")
  }
}
