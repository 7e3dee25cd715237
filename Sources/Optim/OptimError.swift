/// Errors of the optimizers, schedules and their configuration (one line each).
public enum OptimError: Error, CustomStringConvertible, Equatable {
  /// Restored optimizer state whose size does not match the parameter.
  case stateSize(name: String, expected: Int, got: Int)
  /// A betas string that is not two numbers, e.g. "(0.9, 0.98)".
  case betas(String)
  /// A schedule argument out of range: flag name, value, requirement.
  case argument(String, String, String)

  /// The one-line message.
  public var description: String {
    switch self {
    case .stateSize(let n, let e, let g):
      return "optimizer state of parameter '\(n)' has \(g) values, the parameter has \(e)"
    case .betas(let s):
      return "adam betas '\(s)' is not a pair of numbers such as \"(0.9, 0.98)\""
    case .argument(let flag, let value, let need):
      return "\(flag) \(value): \(need)"
    }
  }
}
