/// Bad input to a model: one line naming the field.
public enum ModelInputError: Error, CustomStringConvertible, Equatable {
  /// A token id outside `0 ..< vocabulary`.
  case tokenOutOfRange(field: String, value: Int, vocabulary: Int)
  /// A sequence longer than `max_positions`.
  case tooLong(field: String, length: Int, maxPositions: Int)
  /// A NaN or infinity in a real-valued input.
  case notFinite(field: String, index: Int)
  /// Inputs whose sizes do not fit together.
  case shape(field: String, String)

  public var description: String {
    switch self {
    case .tokenOutOfRange(let f, let v, let n):
      return "\(f): token id \(v) outside the vocabulary of \(n) rows"
    case .tooLong(let f, let l, let m): return "\(f): length \(l) exceeds max_positions \(m)"
    case .notFinite(let f, let i): return "\(f): value at index \(i) is not finite (NaN or inf)"
    case .shape(let f, let why): return "\(f): \(why)"
    }
  }
}
