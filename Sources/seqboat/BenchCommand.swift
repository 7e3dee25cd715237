import ArgumentParser
import Bench
import Distributed
import Foundation
import Models
import Training

/// `seqboat bench`: training speed of a named configuration on random data, as tokens/s and as a
/// ratio to an sgemm of the same run; `--allreduce`: all-reduce bandwidth (under mpirun) and the
/// training step at this world size. Figures are printed by rank 0.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure training speed (tokens/s, % of sgemm, peak RSS) or all-reduce bandwidth.",
    discussion:
      "Configurations: \(BenchShape.names.joined(separator: ", ")). Weak scaling: run the same "
      + "command under `mpirun -np 1` and `-np W` (one thread per rank) and compare tokens/s."
  )

  @Option(help: "Bench configuration (see below); with --allreduce, the model whose step is timed.")
  var config: String?

  @Option(
    help: ArgumentHelp(
      "Threads of every kernel; a list (e.g. 1,2) measures each and prints the speed-ups.",
      discussion: "Default: SLURM_CPUS_PER_TASK, else 1."))
  var threads: String?

  @Option(help: "Timed steps (median reported).")
  var steps: Int = 5

  @Option(help: "Untimed warm-up steps.")
  var warmup: Int = 1

  @Flag(help: "Time fp16 steps (half activations and gradients, loss scaling) as `train --fp16`.")
  var fp16 = false

  @Option(
    help: "none, or os: shard the optimizer state over the ranks as `train --zero-sharding os`.")
  var zeroSharding = "none"

  @Flag(help: "End with one JSON line of every figure.")
  var json = false

  @Flag(help: "Measure all-reduce bandwidth (run under mpirun) instead of one configuration.")
  var allreduce = false

  @Option(help: "All-reduce: repeats per measurement.")
  var repeats: Int = 20

  @Option(help: "All-reduce: total gradient size in MB of the bucket measurement.")
  var modelMB: Int = 100

  @Option(help: "All-reduce: bucket size in MB.")
  var bucketMB: Double = 25

  func validate() throws {
    guard steps >= 1, warmup >= 0, repeats >= 1, modelMB >= 1, bucketMB > 0 else {
      throw ValidationError(
        "--steps, --repeats, --model-mb must be ≥ 1, --warmup ≥ 0, --bucket-mb > 0")
    }
    _ = try threadCounts()
    if let config, !BenchShape.names.contains(config) {
      throw ValidationError(
        "--config '\(config)' is not a bench configuration (known: "
          + "\(BenchShape.names.joined(separator: ", ")))")
    }
    if config == nil, !allreduce {
      throw ValidationError("give --config NAME or --allreduce")
    }
    guard TrainOptions.zeroShardingNames.contains(zeroSharding) else {
      throw ValidationError(
        "--zero-sharding '\(zeroSharding)' is not one of "
          + TrainOptions.zeroShardingNames.joined(separator: ", "))
    }
    if zeroSharding == "os", config == nil {
      throw ValidationError("--zero-sharding os times training steps: give --config NAME")
    }
  }

  func run() throws {
    let comm = try Communicator.world()
    do {
      try measure(comm)
    } catch {
      comm.abort("seqboat bench", error)
    }
    try comm.finalize()
  }

  private func measure(_ comm: Communicator) throws {
    func say(_ lines: [String]) { if comm.rank == 0 { for l in lines { print(l) } } }
    if allreduce {
      let bucketBytes = Int(bucketMB * 1_048_576)
      say(["ranks \(comm.size), \(repeats) repeats; bandwidths in GB/s"])
      say(
        try AllreduceReport.lines(
          comm, payloads: AllreduceReport.payloads,
          parameterSizes: AllreduceReport.modelLikeSizes(megabytes: modelMB),
          bucketBytes: bucketBytes, repeats: repeats))
      guard let config else { return }
      let model = makeModel(try BenchShape.named(config).config)
      say(["gradients of \(config):"])
      say(
        try AllreduceReport.lines(
          comm, payloads: [], parameterSizes: model.parameters.map(\.tensor.count),
          bucketBytes: bucketBytes, repeats: repeats))
    }
    guard let config else { return }
    var results: [BenchResult] = []
    for n in try threadCounts() {
      let result = try ModelBench.run(
        try BenchShape.named(config),
        options: BenchOptions(
          threads: n, steps: steps, warmup: warmup, fp16: fp16,
          zeroSharding: zeroSharding == "os"),
        communicator: comm)
      say(result.lines + (json ? [result.json] : []))
      results.append(result)
    }
    say(ThreadComparison.lines(results))
  }

  /// The thread counts of `--threads` (or its default).
  private func threadCounts() throws -> [Int] {
    guard let threads else {
      do {
        return [try ThreadCount.resolve(nil, environment: ProcessInfo.processInfo.environment)]
      } catch {
        throw ValidationError("\(error)")
      }
    }
    let counts = threads.split(separator: ",", omittingEmptySubsequences: false).map {
      Int($0.trimmingCharacters(in: .whitespaces))
    }
    guard counts.allSatisfy({ (1...ThreadCount.maximum).contains($0 ?? 0) }) else {
      throw ValidationError(
        "--threads '\(threads)' must be thread counts from 1 to \(ThreadCount.maximum), e.g. 2 or 1,2"
      )
    }
    return counts.compactMap { $0 }
  }
}
