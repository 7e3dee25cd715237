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

  /// An HDF5 object of `file` that is not there, in words: "file: dataset /train/tokens missing".
  public init(file: String, missing kind: MissingObject, path: String) {
    description = "\(file): \(kind.rawValue) \(path) missing"
  }

  /// The kinds of HDF5 object a file may lack.
  public enum MissingObject: String {
    /// A dataset.
    case dataset
    /// A group.
    case group
    /// An attribute.
    case attribute
  }
}
