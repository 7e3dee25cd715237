import ArgumentParser
import Distributed

/// `seqboat bench-allreduce` (hidden, to be folded into `seqboat bench --allreduce`): all-reduce
/// bandwidth of plain MPI, the watched collectives and the gradient buckets, printed by rank 0.
struct BenchAllreduceCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench-allreduce",
    abstract: "Measure all-reduce bandwidth (run under mpirun).",
    shouldDisplay: false
  )

  @Option(help: "Repeats per measurement.")
  var repeats: Int = 20

  @Option(help: "Total gradient size in MB for the bucket measurement.")
  var modelMB: Int = 100

  @Option(help: "Bucket size in MB.")
  var bucketMB: Double = 25

  func run() throws {
    let comm = try Communicator.world()
    let sizes = [4 << 10, 256 << 10, 4 << 20, 25 << 20, 100 << 20]
    var rows = try AllreduceBench.plainAndWatched(comm, sizes: sizes, repeats: repeats)
    // A model-like parameter list: alternating large matrices and small vectors.
    let total = modelMB << 18
    var parameters: [Int] = []
    while parameters.reduce(0, +) < total {
      parameters += [min(1 << 20, total - parameters.reduce(0, +)), 512, 512]
    }
    rows += try AllreduceBench.buckets(
      comm, sizes: parameters, bucketBytes: Int(bucketMB * 1_048_576), repeats: repeats)
    if comm.rank == 0 {
      print("ranks \(comm.size), \(repeats) repeats; bandwidths in GB/s")
      for r in rows {
        let mb = Double(r.bytes) / 1_048_576
        print(
          "\(r.label.padding(24)) \(format(mb, 9)) MB \(format(r.seconds * 1e3, 10)) ms "
            + "algbw \(format(r.algorithmBandwidth / 1e9, 7)) busbw \(format(r.busBandwidth / 1e9, 7))"
        )
      }
    }
    try comm.finalize()
  }

  private func format(_ x: Double, _ width: Int) -> String {
    let s = String(Double(Int((x * 1000).rounded())) / 1000)
    return String(repeating: " ", count: max(0, width - s.count)) + s
  }
}

extension String {
  fileprivate func padding(_ width: Int) -> String {
    self + String(repeating: " ", count: max(0, width - count))
  }
}
