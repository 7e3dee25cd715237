import CHDF5

/// An open HDF5 group: create and open its members, list them, test for them.
public final class HDF5Group: HDF5Object {
  /// The HDF5 group id.
  public let id: hid_t
  /// The file holding the group.
  public let file: HDF5File
  /// The absolute path of the group.
  public let path: String

  private init(id: hid_t, file: HDF5File, path: String) {
    self.id = id
    self.file = file
    self.path = path
  }

  deinit { H5Gclose(id) }

  /// Opens the group at absolute `path` of `file`.
  static func open(in file: HDF5File, path: String) throws -> HDF5Group {
    let id = H5Gopen2(file.id, path, hid_t(H5P_DEFAULT))
    guard id >= 0 else { throw HDF5Error(file: file.path, path: path, "no such group") }
    return HDF5Group(id: id, file: file, path: path)
  }

  /// Opens the member group `name` (a relative or absolute path).
  public func openGroup(_ name: String) throws -> HDF5Group {
    let full = childPath(name)
    guard exists(name) else { throw HDF5Error(file: file.path, path: full, "missing group") }
    guard kind(of: name) == .group else {
      throw HDF5Error(file: file.path, path: full, "is not a group")
    }
    return try HDF5Group.open(in: file, path: full)
  }

  /// Creates the group `name` (intermediate groups are created as needed).
  public func createGroup(_ name: String) throws -> HDF5Group {
    let lcpl = H5Pcreate(chdf5_p_link_create())
    defer { H5Pclose(lcpl) }
    H5Pset_create_intermediate_group(lcpl, 1)
    let id = H5Gcreate2(self.id, name, lcpl, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
    guard id >= 0 else { throw error(for: name, "cannot create group") }
    return HDF5Group(id: id, file: file, path: childPath(name))
  }

  /// Whether `name` (a relative or absolute path, possibly nested) names an existing object;
  /// a soft link to nothing does not count.
  public func exists(_ name: String) -> Bool {
    let parts = name.split(separator: "/", omittingEmptySubsequences: true)
    var prefix = name.hasPrefix("/") ? "/" : ""
    for part in parts {
      prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
      guard H5Lexists(id, prefix, hid_t(H5P_DEFAULT)) > 0 else { return false }
    }
    return parts.isEmpty || H5Oexists_by_name(id, name, hid_t(H5P_DEFAULT)) > 0
  }

  /// What the existing member `name` is.
  public func kind(of name: String) -> HDF5ObjectKind {
    var info = H5O_info_t()
    guard H5Oget_info_by_name2(id, name, &info, UInt32(H5O_INFO_BASIC), hid_t(H5P_DEFAULT)) >= 0
    else { return .other }
    switch info.type {
    case H5O_TYPE_GROUP: return .group
    case H5O_TYPE_DATASET: return .dataset
    default: return .other
    }
  }

  /// The names of the links in this group, in name order.
  public func memberNames() throws -> [String] {
    var info = H5G_info_t()
    guard H5Gget_info(id, &info) >= 0 else { throw error("cannot list members") }
    return try (0..<info.nlinks).map { index in
      let name = readHDF5Name { buffer, size in
        Int(
          H5Lget_name_by_idx(
            id, ".", H5_INDEX_NAME, H5_ITER_INC, index, buffer, size, hid_t(H5P_DEFAULT)))
      }
      guard let name else { throw error("cannot read member name \(index)") }
      return name
    }
  }

  /// Creates a soft link `name` pointing at the absolute path `target`.
  public func createSoftLink(_ name: String, target: String) throws {
    guard H5Lcreate_soft(target, id, name, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT)) >= 0 else {
      throw error(for: name, "cannot create soft link to \(target)")
    }
  }

  /// The target of the soft link `name`, or nil when `name` is not a soft link.
  public func softLinkTarget(_ name: String) -> String? {
    guard H5Lexists(id, name, hid_t(H5P_DEFAULT)) > 0 else { return nil }
    var info = H5L_info_t()
    guard H5Lget_info(id, name, &info, hid_t(H5P_DEFAULT)) >= 0, info.type == H5L_TYPE_SOFT
    else { return nil }
    var buffer = [CChar](repeating: 0, count: Int(info.u.val_size) + 1)
    guard H5Lget_val(id, name, &buffer, buffer.count, hid_t(H5P_DEFAULT)) >= 0 else { return nil }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Opens the dataset `name` (a relative or absolute path).
  public func openDataset(_ name: String) throws -> HDF5Dataset {
    let full = childPath(name)
    guard exists(name) else { throw HDF5Error(file: file.path, path: full, "missing dataset") }
    guard kind(of: name) == .dataset else {
      throw HDF5Error(file: file.path, path: full, "is not a dataset")
    }
    return try HDF5Dataset.open(in: self, name: name, path: full)
  }

  /// Creates a dataset `name` of `shape` whose stored type is `T`'s native type, optionally
  /// chunked (`chunk` dims are clamped to the extent), compressed (shuffle + deflate 1, chunked
  /// datasets only) and checksummed (Fletcher-32 per chunk, one chunk of the whole extent unless
  /// `chunk` says otherwise; a scalar or empty dataset has no chunks to check); missing
  /// intermediate groups of `name` are created.
  public func createDataset<T: HDF5Element>(
    _ name: String, of type: T.Type, shape: [Int], chunk: [Int]? = nil, compress: Bool = false,
    checksum: Bool = false
  ) throws -> HDF5Dataset {
    try HDF5Dataset.create(
      in: self, name: name, path: childPath(name), type: T.nativeType, shape: shape,
      chunk: chunk, compress: compress, checksum: checksum)
  }

  /// Creates a dataset `name` holding `values` with `shape` (default: 1-D) and writes them.
  @discardableResult
  public func writeDataset<T: HDF5Element>(
    _ name: String, _ values: [T], shape: [Int]? = nil, chunk: [Int]? = nil,
    compress: Bool = false, checksum: Bool = false
  ) throws -> HDF5Dataset {
    let dims = shape ?? [values.count]
    guard dims.reduce(1, *) == values.count else {
      throw error(for: name, "\(values.count) values do not fill shape \(dims)")
    }
    let dataset = try createDataset(
      name, of: T.self, shape: dims, chunk: chunk, compress: compress, checksum: checksum)
    try dataset.write(values)
    return dataset
  }

  /// An error about member `name` of this group.
  func error(for name: String, _ reason: String) -> HDF5Error {
    HDF5Error(file: file.path, path: childPath(name), reason)
  }
}
