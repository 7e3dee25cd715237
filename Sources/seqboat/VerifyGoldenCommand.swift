import ArgumentParser
import Fairseq
import Golden

/// `seqboat verify-golden FILE...`: compares the engine with the PyTorch reference files; with
/// `--checkpoint MODEL.h5`, runs that checkpoint's model on fairseq fixtures
/// (`NAME.expected.h5`) instead.
struct VerifyGoldenCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify-golden",
    abstract: "Check layers and models against golden files (Tests/Fixtures/golden/README.md)."
  )

  @Option(help: "A seqboat checkpoint (e.g. from import-fairseq) to run on fairseq fixtures.")
  var checkpoint: String?

  @Argument(help: "Golden HDF5 files, or fairseq fixtures with --checkpoint.")
  var files: [String]

  func run() throws {
    let failed: Int
    if let checkpoint {
      failed = FairseqFixtureCheck.verify(checkpoint: checkpoint, files: files) { print($0) }.failed
    } else {
      failed = GoldenVerifier().verify(files: files) { print($0) }.failed
    }
    if failed > 0 { throw ExitCode(1) }
  }
}
