import CMPI

/// Errors of the distributed layer; each describes itself in one line.
public enum DistributedError: Error, CustomStringConvertible, Equatable {
  /// An MPI call returned an error code: the call's name and MPI's own message.
  case mpi(call: String, code: Int32, message: String)
  /// Ranks disagree about the run's setup (config hash or parameter count).
  case setupMismatch(String)
  /// A caller-supplied value out of range: what and why.
  case invalid(String)
  /// A collective did not complete in time: which one and which ranks were missing or silent;
  /// the job is to be aborted `abortDelay` seconds after the message (see `Watchdog`).
  case collectiveTimeout(String, abortDelay: Double)

  /// The exit status a job ended by this error reports: 3 for a collective timeout (a lost or
  /// stopped rank), 1 otherwise.
  public var exitCode: Int32 {
    if case .collectiveTimeout = self { return 3 }
    return 1
  }

  /// Seconds between the message and the abort (a collective timeout's delay; 0 otherwise).
  public var abortDelay: Double {
    if case .collectiveTimeout(_, let delay) = self { return delay }
    return 0
  }

  /// The one-line message.
  public var description: String {
    switch self {
    case .mpi(let call, let code, let message):
      return "\(call) failed (MPI error \(code)): \(message)"
    case .setupMismatch(let s): return s
    case .invalid(let s): return s
    case .collectiveTimeout(let s, _): return s
    }
  }
}

/// Throws `DistributedError.mpi` naming `call` unless `code` is `MPI_SUCCESS`.
func check(_ code: Int32, _ call: String) throws {
  guard code != MPI_SUCCESS else { return }
  var buffer = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
  var length: Int32 = 0
  let message =
    MPI_Error_string(code, &buffer, &length) == MPI_SUCCESS
    ? buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } : "unknown error"
  throw DistributedError.mpi(call: call, code: code, message: message)
}
