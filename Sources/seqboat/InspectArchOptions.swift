import ArgumentParser
import Models

/// The `--arch NAME` option of `seqboat inspect`: the parameter count and shapes of a preset
/// architecture (MODEL.md §6.5, vocabularies of §7.3). `InspectCommand` includes it as an
/// `@OptionGroup` and calls `printReport()` first.
struct InspectArchOptions: ParsableArguments {
  @Option(help: "A preset architecture (e.g. slag_lra_listop): print its parameters and shapes.")
  var arch: String?

  /// Prints the report of `--arch` when given; returns whether it did.
  func printReport() throws -> Bool {
    guard let arch else { return false }
    print(try architectureReport(arch))
    return true
  }
}
