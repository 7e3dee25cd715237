import ArgumentParser

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
}
