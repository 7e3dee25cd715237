import ArgumentParser
import Golden

/// `seqboat verify-golden FILE...`: compares the engine with the PyTorch reference files.
struct VerifyGoldenCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify-golden",
    abstract: "Check layers and models against golden files (Tests/Fixtures/golden/README.md)."
  )

  @Argument(help: "Golden HDF5 files.")
  var files: [String]

  func run() throws {
    let (_, failed) = GoldenVerifier().verify(files: files) { print($0) }
    if failed > 0 { throw ExitCode(1) }
  }
}
