/// A data-pipeline error, described in one line (file and field when there is one).
public struct DataError: Error, CustomStringConvertible, Equatable {
  /// The whole message.
  public let description: String

  /// An error with the message `description`.
  public init(_ description: String) { self.description = description }

  /// An error about `field` of `file`: "file: field: reason", or for a missing object
  /// ("missing dataset") "file: dataset /train/tokens missing".
  public init(file: String, field: String, _ reason: String) {
    description =
      reason.hasPrefix("missing ")
      ? "\(file): \(reason.dropFirst(8)) \(field) missing" : "\(file): \(field): \(reason)"
  }
}
