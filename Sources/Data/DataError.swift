/// A data-pipeline error, described in one line (file and field when there is one).
public struct DataError: Error, CustomStringConvertible, Equatable {
  /// The whole message.
  public let description: String

  /// An error with the message `description`.
  public init(_ description: String) { self.description = description }

  /// An error about `field` of `file`: "file: field: reason".
  public init(file: String, field: String, _ reason: String) {
    description = "\(file): \(field): \(reason)"
  }
}
