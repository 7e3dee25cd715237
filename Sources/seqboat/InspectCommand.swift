import ArgumentParser
import Data

/// `seqboat inspect FILE.h5`: what a dataset file holds.
struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Show the attributes, splits, sizes and vocabulary of a dataset file.")

  @Argument(help: "A seqboat-hdf5 dataset file.")
  var file: String?

  @Option(help: "Vocabulary entries to list.")
  var symbols: Int = 12

  func validate() throws {
    guard file != nil else { throw ValidationError("give a dataset file to inspect") }
  }

  func run() throws {
    guard let file else { return }
    print(try DatasetReport.text(DatasetFile.open(file, memoryBudget: 0), symbols: symbols))
  }
}
