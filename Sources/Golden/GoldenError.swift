/// Why a golden file could not be checked.
public enum GoldenError: Error, CustomStringConvertible {
  /// The file is not a readable golden file (missing group, attribute or dataset, bad JSON...).
  case invalid(String)
  /// The file is well formed but its kind or configuration is not supported by the engine.
  case unsupported(String)

  public var description: String {
    switch self {
    case .invalid(let why): return why
    case .unsupported(let why): return "unsupported: \(why)"
    }
  }
}
