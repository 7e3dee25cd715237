import ArgumentParser
import Fairseq

/// `seqboat export-fairseq MODEL.h5 --out checkpoint.pt`.
struct ExportFairseqCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export-fairseq",
    abstract: "Write a seqboat checkpoint as a fairseq checkpoint (torch zip format).")

  @Argument(help: "A seqboat checkpoint.")
  var checkpoint: String
  @Option(help: "The fairseq checkpoint to write (.pt).")
  var out: String

  func run() throws {
    try FairseqExport.run(checkpoint: checkpoint, out: out)
    print("wrote \(out)")
  }
}
