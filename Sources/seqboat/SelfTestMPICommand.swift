import ArgumentParser
import Distributed
import MPISelfTest

/// `seqboat selftest-mpi SCENARIO` (hidden): runs one of `MPISelfTest`'s scenarios on every rank of
/// an `mpirun` job and prints `rank R of W: PASS summary`; DistributedTests launch it.
struct SelfTestMPICommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "selftest-mpi",
    abstract: "Check the MPI layer on every rank (for the test suite).",
    shouldDisplay: false
  )

  @Argument(
    help: "Scenario: \(MPISelfTest.Scenario.allCases.map(\.rawValue).joined(separator: ", ")).")
  var scenario: String

  @Option(help: "Seconds a collective may wait before the job is aborted.")
  var collectiveTimeout: Double = 300

  @Option(help: "The rank that misbehaves in the stop, sleep and kill scenarios.")
  var victim: Int = 1

  func run() throws {
    guard let which = MPISelfTest.Scenario(rawValue: scenario) else {
      throw ValidationError("unknown scenario '\(scenario)'")
    }
    let comm = try Communicator.world(collectiveTimeout: collectiveTimeout)
    do {
      let summary = try MPISelfTest.run(which, victim: victim, on: comm)
      print("rank \(comm.rank) of \(comm.size): PASS \(summary)")
      try comm.finalize()
    } catch {
      comm.abort("selftest \(scenario) failed", error)
    }
  }
}
