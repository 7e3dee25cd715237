import CMPI
import Glibc

/// The host name of every rank of `comm`, by rank (each rank's `gethostname`, gathered once when a
/// watchdog is set up), so that a verdict names the node of a rank that stopped answering.
/// Collective over `comm`.
func gatherHostNames(_ comm: MPI_Comm?, size: Int) throws -> [String] {
  let width = 256
  var mine = [CChar](repeating: 0, count: width)
  if gethostname(&mine, width - 1) != 0 { mine = [CChar](repeating: 0, count: width) }
  mine[width - 1] = 0
  var all = [CChar](repeating: 0, count: width * size)
  try check(
    MPI_Allgather(&mine, Int32(width), cmpi_byte(), &all, Int32(width), cmpi_byte(), comm),
    "MPI_Allgather (host names)")
  return (0..<size).map { rank in
    let name = all[(rank * width)..<((rank + 1) * width)].prefix { $0 != 0 }
    let text = String(decoding: name.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return text.isEmpty ? "unknown host" : text
  }
}
