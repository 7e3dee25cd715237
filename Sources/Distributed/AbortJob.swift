import CMPI
import Glibc

/// Writes `seqboat: rank R of W: message` to standard error and aborts every rank (`MPI_Abort`
/// through `cmpi_abort`, which does not return), so that `mpirun`/`srun` exits non-zero instead of
/// hanging. With a `delay`, the abort waits that many seconds after the line: time for the
/// launcher to notice a lost node by itself. (An abort sent while the node is still believed
/// alive makes `mpirun` wait for the lost node's daemon until TCP gives up retransmitting to it,
/// about 15 minutes.)
func abortJob(rank: Int, size: Int, message: String, code: Int32, delay: Double = 0) -> Never {
  fflush(stdout)
  fputs("seqboat: rank \(rank) of \(size): \(message)\n", stderr)
  fflush(stderr)
  if delay > 0 { pause(seconds: delay) }
  cmpi_abort(code)
}
