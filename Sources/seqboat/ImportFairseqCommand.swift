import ArgumentParser
import Fairseq
import Foundation

/// `seqboat import-fairseq CHECKPOINT.pt|RELEASE.zip [--dict FILE] [--member NAME] --out F`.
struct ImportFairseqCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import-fairseq",
    abstract: "Convert a fairseq checkpoint (either torch format, or a release zip) to seqboat's.")

  @Argument(help: "A fairseq .pt checkpoint, or a zip holding one and its dictionary.")
  var checkpoint: String
  @Option(help: "The fairseq dictionary (dict.txt) of a model that reads tokens.")
  var dict: String?
  @Option(help: "The .pt inside a release zip that holds several.")
  var member: String?
  @Option(help: "The seqboat checkpoint to write (HDF5).")
  var out: String

  func run() throws {
    let notes = try FairseqImport.run(input: checkpoint, dictionary: dict, member: member, out: out)
    for note in notes { print("note: \(note)") }
    print("wrote \(out)")
  }
}
