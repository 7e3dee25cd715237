import ArgumentParser
import Foundation
import Training

/// `seqboat train-switches` (hidden): every option of `seqboat train` that takes no value, one
/// `--name` per line, so that jobs/launch.sh splits a flag list exactly as the binary does.
struct TrainSwitchesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train-switches",
    abstract: "List the options of `seqboat train` that take no value (for jobs/launch.sh).",
    shouldDisplay: false)

  /// The parts of ArgumentParser's JSON description of a command that name its flags.
  private struct Description: Decodable {
    struct Command: Decodable { let arguments: [Argument]? }
    struct Argument: Decodable {
      let kind: String
      let names: [Name]?
    }
    struct Name: Decodable {
      let kind: String
      let name: String
    }
    let command: Command
  }

  /// `train`'s own flags (from ArgumentParser's description of `TrainCommand`) and the model's
  /// store-true options, sorted.
  static func switches() throws -> [String] {
    let description = try JSONDecoder().decode(
      Description.self, from: Foundation.Data(TrainCommand._dumpHelp().utf8))
    let own = (description.command.arguments ?? []).filter { $0.kind == "flag" }
      .flatMap { $0.names ?? [] }.filter { $0.kind == "long" }.map(\.name)
    return Set(own + ModelFlags.switchNames).sorted().map { "--" + $0 }
  }

  func run() throws {
    print(try Self.switches().joined(separator: "\n"))
  }
}
