import ArgumentParser
import Data
import Training

/// `seqboat inspect FILE.h5` (what a dataset file or a checkpoint holds) or `seqboat inspect
/// --arch NAME` (a preset's parameter count and shapes).
struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract:
      "Show what a dataset file or a checkpoint holds, or the parameters of a preset architecture."
  )

  @Argument(help: "A seqboat-hdf5 dataset file or a seqboat checkpoint.")
  var file: String?

  @Option(help: "Vocabulary entries to list.")
  var symbols: Int = 12

  @OptionGroup var archOptions: InspectArchOptions

  func validate() throws {
    guard file != nil || archOptions.arch != nil else {
      throw ValidationError("give a dataset file or --arch NAME")
    }
  }

  func run() throws {
    if try archOptions.printReport() { return }
    guard let file else { return }
    if CheckpointReport.isCheckpoint(file) { return print(try CheckpointReport.text(file)) }
    print(try DatasetReport.text(DatasetFile.open(file, memoryBudget: 0), symbols: symbols))
  }
}
