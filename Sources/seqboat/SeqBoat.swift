import ArgumentParser
import Foundation

/// The `seqboat` command line: parsing only; the work lives in the library targets.
@main
struct SeqBoat: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "seqboat",
    abstract:
      "Data-parallel training of Mega and SeqBoat models (run every rank under mpirun or srun).",
    subcommands: [
      PrepCommand.self, InspectCommand.self, SelfTestMPICommand.self, BenchCommand.self,
      VerifyGoldenCommand.self, TrainCommand.self, EvalCommand.self, TrainSwitchesCommand.self,
      ImportFairseqCommand.self, ExportFairseqCommand.self,
    ]
  )

  /// Parses the command line and runs the command. An error is one line on standard error
  /// (`seqboat: message`; a mistyped option, checked first, names the closest known one), written by the
  /// launcher's first rank only, since every rank of a job parses the same words, with the
  /// parser's exit status; help and version print as usual.
  static func main() {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if let typo = OptionSpelling.unknownOption(in: arguments) {
      if LauncherRank.isFirst { FileHandle.standardError.write(Data("seqboat: \(typo)\n".utf8)) }
      Foundation.exit(ExitCode.validationFailure.rawValue)
    }
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
    } catch {
      let code = exitCode(for: error)
      if code == .success { exit(withError: error) }
      let text = message(for: error).split(whereSeparator: \.isNewline)
        .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        .joined(separator: " ")
      if !text.isEmpty, LauncherRank.isFirst {
        FileHandle.standardError.write(Data("seqboat: \(text)\n".utf8))
      }
      Foundation.exit(code.rawValue)
    }
  }
}
