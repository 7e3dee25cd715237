import CHDF5

/// An open group or dataset: an HDF5 id plus the file and path it came from (for messages).
public protocol HDF5Object: AnyObject {
  /// The HDF5 object id.
  var id: hid_t { get }
  /// The file holding the object.
  var file: HDF5File { get }
  /// The absolute path of the object in the file.
  var path: String { get }
}

extension HDF5Object {
  /// An error about this object.
  public func error(_ reason: String) -> HDF5Error {
    HDF5Error(file: file.path, path: path, reason)
  }

  /// The absolute path of `name` relative to this object.
  func childPath(_ name: String) -> String {
    if name.hasPrefix("/") { return name }
    return path == "/" ? "/" + name : path + "/" + name
  }
}

/// What a link in a group points at.
public enum HDF5ObjectKind: Equatable {
  /// A group.
  case group
  /// A dataset.
  case dataset
  /// A named datatype or anything else.
  case other
}

/// Reads a name that an HDF5 "get name" call writes into a caller buffer; `fill` returns the
/// name length (or < 0 on failure) and writes at most `capacity` bytes including the NUL.
func readHDF5Name(_ fill: (UnsafeMutablePointer<CChar>?, Int) -> Int) -> String? {
  let length = fill(nil, 0)
  guard length >= 0 else { return nil }
  var buffer = [CChar](repeating: 0, count: length + 1)
  let written = buffer.withUnsafeMutableBufferPointer { fill($0.baseAddress, length + 1) }
  guard written >= 0 else { return nil }
  return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
