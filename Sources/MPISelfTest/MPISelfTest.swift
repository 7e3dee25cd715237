import Distributed
import Glibc

/// Scenarios run on every rank of a real `mpirun` job by `seqboat selftest-mpi` (a hidden
/// subcommand that DistributedTests launch): each checks its results against values every rank can
/// compute alone and returns a one-line summary, or throws naming the first difference.
public enum MPISelfTest {
  /// The scenarios, by command-line name.
  public enum Scenario: String, CaseIterable {
    /// Float/Double/Int64 sum, max and min, fp16 sum, the `Collective` protocol, allgather, barrier.
    case collectives
    /// Broadcast of every element type and of parameter tensors (several chunks).
    case broadcast
    /// Gradient buckets (fp32 and fp16, overlapped or not) against a plain all-reduce, with
    /// parameters missing on some or all ranks.
    case buckets
    /// Reduce-scatter, all-gather and gather on uneven slices, and the gradient and parameter
    /// exchanges of sharded optimizer state (fp32 and fp16), with parameters missing on some ranks.
    case shards
    /// The start-up check: equal setups pass, a different config hash or parameter count throws.
    case setup
    /// An MPI error (a broadcast longer than the receiver's buffer) comes back as a Swift error
    /// naming the call, and the communicator stays usable.
    case error
    /// The victim rank stops itself (SIGSTOP) before a collective: the watchdog must abort the job.
    case stop
    /// The victim rank enters a collective and is stopped (SIGSTOP) while waiting in it, before
    /// the others arrive: the watchdog must abort naming it although it had arrived.
    case stopInside = "stop-inside"
    /// The victim rank sleeps far past the timeout before a collective: the watchdog must abort.
    case sleep
    /// The victim rank kills itself (SIGKILL) between collectives: `mpirun` must end the job.
    case kill
  }

  /// Runs `scenario` on this rank; `victim` is the rank that misbehaves in the failure scenarios.
  public static func run(_ scenario: Scenario, victim: Int, on comm: Communicator) throws -> String
  {
    switch scenario {
    case .collectives: return try checkCollectives(comm)
    case .broadcast: return try checkBroadcast(comm)
    case .buckets: return try checkBuckets(comm)
    case .shards: return try checkShards(comm)
    case .setup: return try checkSetup(comm)
    case .error: return try checkErrorReturned(comm)
    case .stop, .stopInside, .sleep, .kill: return try misbehave(scenario, victim: victim, comm)
    }
  }

  /// The victim misbehaves at the third collective; the other ranks keep calling collectives.
  static func misbehave(_ scenario: Scenario, victim: Int, _ comm: Communicator) throws -> String {
    guard (0..<comm.size).contains(victim) else {
      throw SelfTestFailure("victim rank \(victim) is not a rank of \(comm.size)")
    }
    for round in 0..<50 {
      if round == 2 && comm.rank == victim {
        switch scenario {
        case .stop: raise(SIGSTOP)
        case .kill: raise(SIGKILL)
        case .stopInside:
          signal(SIGALRM) { _ in _ = raise(SIGSTOP) }
          alarm(1)
        default: pause(seconds: 20 * comm.collectiveTimeout)
        }
      }
      if round == 2 && comm.rank != victim && scenario == .stopInside { pause(seconds: 2) }
      var x = [Double(comm.rank)]
      try comm.allReduce(&x)
      pause(seconds: 0.05)
    }
    return "\(scenario.rawValue): 50 collectives completed"
  }
}

/// A check of a self-test that failed (one line).
public struct SelfTestFailure: Error, CustomStringConvertible {
  /// The one-line message.
  public let description: String
  init(_ description: String) { self.description = description }
}

/// Throws `SelfTestFailure(message)` unless `condition` holds.
func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
  if !condition { throw SelfTestFailure(message()) }
}
