import ArgumentParser
import Foundation
import Training

/// Mistyped long options, found before the parser runs: the parser reports a missing required
/// option or a failed check before an unknown one, which hides the typo that caused them.
enum OptionSpelling {
  /// "unknown option --x (did you mean --y?)" for the first word of `arguments` (a subcommand and
  /// its words) that is a long option its command does not have; nil when there is none. `train`
  /// is left to its own check, which also knows the model options.
  static func unknownOption(in arguments: [String]) -> String? {
    guard let name = arguments.first, name != TrainCommand.configuration.commandName,
      let command = SeqBoat.configuration.subcommands.first(where: {
        $0.configuration.commandName == name
      })
    else { return nil }
    let known = Set(longNames(command) + ["help"])
    for word in arguments.dropFirst() {
      if word == "--" { break }
      guard word.hasPrefix("--"), word.count > 2 else { continue }
      let option = String(word.dropFirst(2).prefix { $0 != "=" })
      if !known.contains(option) {
        return "\(name): unknown option --\(option)"
          + ModelFlags.suggestion(for: option, among: known.sorted())
      }
    }
    return nil
  }

  /// The long option names that `command`'s help lists, hidden ones included.
  static func longNames(_ command: ParsableCommand.Type) -> [String] {
    let help = SeqBoat.helpMessage(for: command, includeHidden: true, columns: 200)
    guard let regex = try? NSRegularExpression(pattern: "--([a-z0-9][a-z0-9-]*)") else { return [] }
    return regex.matches(in: help, range: NSRange(help.startIndex..., in: help)).compactMap {
      Range($0.range(at: 1), in: help).map { String(help[$0]) }
    }
  }
}
