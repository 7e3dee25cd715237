import CMPI

/// A reduction of `Communicator.allReduce`.
public enum ReduceOp: String {
  case sum, max, min

  var handle: MPI_Op {
    switch self {
    case .sum: return cmpi_sum()
    case .max: return cmpi_max()
    case .min: return cmpi_min()
    }
  }
}
