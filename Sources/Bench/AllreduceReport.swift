import Distributed

/// `seqboat bench --allreduce`: all-reduce bandwidth of plain `MPI_Allreduce`, the watched
/// collectives and the gradient buckets (`AllreduceBench`), as printable lines (rank 0's).
public enum AllreduceReport {
  /// Payload sizes of the plain and watched measurements, bytes.
  public static let payloads = [4 << 10, 256 << 10, 4 << 20, 25 << 20, 100 << 20]

  /// A model-like parameter list of `megabytes` MB of floats: alternating 4 MB matrices and
  /// small vectors.
  public static func modelLikeSizes(megabytes: Int) -> [Int] {
    let total = megabytes << 18
    var sizes: [Int] = []
    var sum = 0
    while sum < total {
      let matrix = min(1 << 20, total - sum)
      sizes += [matrix, 512, 512]
      sum += matrix + 1024
    }
    return sizes
  }

  /// The measurement over `comm`: plain and watched all-reduce of `payloads` (bytes), then the
  /// buckets of `bucketBytes` on `parameterSizes` (element counts). Lines to print.
  public static func lines(
    _ comm: Communicator, payloads: [Int], parameterSizes: [Int], bucketBytes: Int, repeats: Int
  ) throws -> [String] {
    var rows = try AllreduceBench.plainAndWatched(comm, sizes: payloads, repeats: repeats)
    rows += try AllreduceBench.buckets(
      comm, sizes: parameterSizes, bucketBytes: bucketBytes, repeats: repeats)
    return rows.map { r in
      pad(r.label, 24) + pad(fixed(Double(r.bytes) / 1_048_576, 3), 10, left: true) + " MB "
        + pad(fixed(r.seconds * 1e3, 3), 10, left: true) + " ms  algbw "
        + pad(fixed(r.algorithmBandwidth / 1e9, 3), 7, left: true) + "  busbw "
        + pad(fixed(r.busBandwidth / 1e9, 3), 7, left: true)
    }
  }

  private static func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - s.count))
    return left ? fill + s : s + fill
  }
}
