import CMPI
import Glibc

/// Writes `seqboat: rank R of W: message` to standard error and aborts every rank of the job
/// (`MPI_Abort` through `cmpi_abort`, which does not return), so that `mpirun`/`srun` exits
/// non-zero instead of hanging.
func abortJob(rank: Int, size: Int, message: String, code: Int32) -> Never {
  fflush(stdout)
  fputs("seqboat: rank \(rank) of \(size): \(message)\n", stderr)
  fflush(stderr)
  cmpi_abort(code)
}
