import CMPI
import Tensor

/// Measures all-reduce speed: the blocking `MPI_Allreduce` of Open MPI against this layer's
/// watched non-blocking all-reduce and against `GradientBuckets` on a list of parameters.
/// Bandwidths follow nccl-tests: algorithm bandwidth = bytes / time, bus bandwidth = algorithm
/// bandwidth × 2(W−1)/W (the traffic a ring moves per rank).
public enum AllreduceBench {
  /// One measurement: seconds per all-reduce (fastest repeat, slowest rank).
  public struct Row {
    /// What was reduced.
    public let label: String
    /// Payload in bytes.
    public let bytes: Int
    /// Seconds per all-reduce.
    public let seconds: Double
    /// Ranks taking part.
    public let ranks: Int

    /// Bytes per second of payload.
    public var algorithmBandwidth: Double { Double(bytes) / seconds }
    /// Algorithm bandwidth × 2(W−1)/W.
    public var busBandwidth: Double {
      algorithmBandwidth * 2 * Double(ranks - 1) / Double(max(ranks, 1))
    }
  }

  /// For each payload size (bytes of floats): the plain blocking `MPI_Allreduce` and the watched
  /// `Communicator.allReduce`.
  public static func plainAndWatched(_ comm: Communicator, sizes: [Int], repeats: Int) throws
    -> [Row]
  {
    var rows: [Row] = []
    for bytes in sizes {
      var values = [Float](repeating: 1, count: max(bytes / 4, 1))
      let count = try comm.mpiCount(values.count, "bench")
      let plain = try time(comm, repeats) {
        try values.withUnsafeMutableBytes { buffer in
          try check(
            MPI_Allreduce(
              cmpi_in_place(), buffer.baseAddress, count, cmpi_float(), cmpi_sum(), comm.comm),
            "MPI_Allreduce")
        }
      }
      let watched = try time(comm, repeats) { try comm.allReduce(&values) }
      rows.append(
        Row(label: "MPI_Allreduce", bytes: values.count * 4, seconds: plain, ranks: comm.size))
      rows.append(
        Row(label: "watched", bytes: values.count * 4, seconds: watched, ranks: comm.size))
    }
    return rows
  }

  /// Gradients of parameters with element counts `sizes`, reduced by `GradientBuckets` of
  /// `bucketBytes` (fp32 and fp16), against one plain `MPI_Allreduce` of all of them at once.
  public static func buckets(
    _ comm: Communicator, sizes: [Int], bucketBytes: Int, repeats: Int
  ) throws -> [Row] {
    let params = sizes.map { n -> Tensor in
      let t = Tensor.zeros([n], requiresGrad: true)
      t.grad = [Float](repeating: 0.5, count: n)
      return t
    }
    let total = sizes.reduce(0, +)
    var flat = [Float](repeating: 0.5, count: total)
    let count = try comm.mpiCount(total, "bench")
    let plain = try time(comm, repeats) {
      try flat.withUnsafeMutableBytes { buffer in
        try check(
          MPI_Allreduce(
            cmpi_in_place(), buffer.baseAddress, count, cmpi_float(), cmpi_sum(), comm.comm),
          "MPI_Allreduce")
      }
    }
    var rows = [
      Row(label: "MPI_Allreduce of all", bytes: total * 4, seconds: plain, ranks: comm.size)
    ]
    for precision in [GradientBuckets.Precision.float32, .float16] {
      let buckets = try GradientBuckets(
        communicator: comm, sizes: sizes, bucketBytes: bucketBytes, precision: precision)
      let seconds = try time(comm, repeats) {
        for t in params where t.grad == nil { t.grad = [Float](repeating: 0.5, count: t.count) }
        try buckets.allReduce(params)
      }
      rows.append(
        Row(
          label: "\(buckets.bucketCount) buckets \(precision.rawValue)", bytes: total * 4,
          seconds: seconds, ranks: comm.size))
    }
    return rows
  }

  /// Seconds of `body`: the fastest of `repeats` runs after one warm-up (robust to other load
  /// on the machine), the slowest rank's.
  static func time(_ comm: Communicator, _ repeats: Int, _ body: () throws -> Void) throws -> Double
  {
    try body()
    var best = Double.infinity
    for _ in 0..<max(repeats, 1) {
      try comm.barrier()
      let start = monotonicSeconds()
      try body()
      best = min(best, monotonicSeconds() - start)
    }
    var slowest = [best]
    try comm.allReduce(&slowest, .max)
    return slowest[0]
  }
}
