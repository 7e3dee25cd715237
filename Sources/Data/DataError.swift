/// A data-pipeline error, described in one line (file and field when there is one).
public struct DataError: Error, CustomStringConvertible, Equatable {
  /// The whole message.
  public let description: String

  /// An error with the message `description`.
  public init(_ description: String) { self.description = description }

  /// An error about `field` of `file`: "file: field: reason", or for a missing HDF5 object
  /// (reason "missing dataset", "missing group" or "missing attribute") in words:
  /// "file: dataset /train/tokens missing".
  public init(file: String, field: String, _ reason: String) {
    let kind = reason.dropFirst("missing ".count)
    description =
      reason.hasPrefix("missing ") && ["dataset", "group", "attribute"].contains(kind)
      ? "\(file): \(kind) \(field) missing" : "\(file): \(field): \(reason)"
  }
}
