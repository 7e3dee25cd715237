/// A failed HDF5 operation, described in one line that names the file and the object path.
public struct HDF5Error: Error, CustomStringConvertible, Equatable {
  /// The file the operation concerned.
  public let file: String
  /// The object path inside the file ("/" for the file itself).
  public let path: String
  /// What went wrong.
  public let reason: String

  /// An error about `path` in `file`.
  public init(file: String, path: String, _ reason: String) {
    self.file = file
    self.path = path
    self.reason = reason
  }

  /// One line in words: `file: reason` for the file itself ("x.h5: file not found"), `file:
  /// dataset /train/tokens missing` for a missing object, otherwise `file: path: reason`.
  public var description: String {
    if path == "/" { return "\(file): \(reason)" }
    if reason.hasPrefix("missing ") { return "\(file): \(reason.dropFirst(8)) \(path) missing" }
    return "\(file): \(path): \(reason)"
  }
}
