import CHDF5

/// An open HDF5 dataset: its shape and element class, whole reads and writes with HDF5
/// converting between the stored and the requested type.
public final class HDF5Dataset: HDF5Object {
  /// The HDF5 dataset id.
  public let id: hid_t
  /// The file holding the dataset.
  public let file: HDF5File
  /// The absolute path of the dataset.
  public let path: String
  /// The extent of each dimension (empty for a scalar dataset).
  public let shape: [Int]
  /// The class of the stored values.
  public let elementClass: HDF5ElementClass

  private init(id: hid_t, file: HDF5File, path: String) throws {
    self.id = id
    self.file = file
    self.path = path
    let space = H5Dget_space(id)
    defer { H5Sclose(space) }
    let rank = H5Sget_simple_extent_ndims(space)
    guard rank >= 0 else {
      H5Dclose(id)
      throw HDF5Error(file: file.path, path: path, "cannot read shape")
    }
    var dims = [hsize_t](repeating: 0, count: Int(rank))
    H5Sget_simple_extent_dims(space, &dims, nil)
    shape = dims.map { Int($0) }
    let type = H5Dget_type(id)
    defer { H5Tclose(type) }
    elementClass = HDF5ElementClass(type: type)
  }

  deinit { H5Dclose(id) }

  /// Opens the dataset `name` of `group`; `path` is its absolute path.
  static func open(in group: HDF5Group, name: String, path: String) throws -> HDF5Dataset {
    let id = H5Dopen2(group.id, name, hid_t(H5P_DEFAULT))
    guard id >= 0 else { throw HDF5Error(file: group.file.path, path: path, "cannot open dataset") }
    return try HDF5Dataset(id: id, file: group.file, path: path)
  }

  /// Creates the dataset `name` of `group` (see `HDF5Group.createDataset`).
  static func create(
    in group: HDF5Group, name: String, path: String, type: hid_t, shape: [Int], chunk: [Int]?,
    compress: Bool, checksum: Bool
  ) throws -> HDF5Dataset {
    let fail = { (reason: String) in HDF5Error(file: group.file.path, path: path, reason) }
    guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("negative extent in \(shape)") }
    let dims = shape.map { hsize_t($0) }
    let space = H5Screate_simple(Int32(dims.count), dims, nil)
    defer { H5Sclose(space) }
    let dcpl = H5Pcreate(chdf5_p_dataset_create())
    defer { H5Pclose(dcpl) }
    if let chunk = chunk ?? (checksum ? shape : nil), !shape.contains(0), !shape.isEmpty {
      guard chunk.count == shape.count, chunk.allSatisfy({ $0 > 0 }) else {
        throw fail("chunk \(chunk) does not fit shape \(shape)")
      }
      let clamped = zip(chunk, shape).map { hsize_t(min($0, $1)) }
      guard H5Pset_chunk(dcpl, Int32(clamped.count), clamped) >= 0 else {
        throw fail("cannot set chunk \(chunk)")
      }
      if compress {
        guard H5Pset_shuffle(dcpl) >= 0, H5Pset_deflate(dcpl, 1) >= 0 else {
          throw fail("cannot enable compression")
        }
      }
      if checksum, H5Pset_fletcher32(dcpl) < 0 { throw fail("cannot enable Fletcher-32") }
    }
    let lcpl = H5Pcreate(chdf5_p_link_create())
    defer { H5Pclose(lcpl) }
    H5Pset_create_intermediate_group(lcpl, 1)
    let id = H5Dcreate2(group.id, name, type, space, lcpl, dcpl, hid_t(H5P_DEFAULT))
    guard id >= 0 else { throw fail("cannot create dataset") }
    return try HDF5Dataset(id: id, file: group.file, path: path)
  }

  /// The number of stored values.
  public var count: Int { shape.reduce(1, *) }

  /// The number of values in one row (the product of all but the first dimension).
  public var rowSize: Int { shape.dropFirst().reduce(1, *) }

  /// All values, converted by HDF5 from the stored type to `T`.
  public func read<T: HDF5Element>(as type: T.Type = T.self) throws -> [T] {
    try requireNumeric()
    var values = [T](repeating: T.zero, count: count)
    guard !values.isEmpty else { return values }
    let status = values.withUnsafeMutableBytes { buffer in
      H5Dread(id, T.nativeType, H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), buffer.baseAddress)
    }
    guard status >= 0 else {
      throw error(
        isChecksummed ? "fails its Fletcher-32 checksum (corrupt data)" : "cannot read as \(T.self)"
      )
    }
    return values
  }

  /// Whether the stored chunks carry HDF5's Fletcher-32 checksum (verified on every read).
  public var isChecksummed: Bool {
    let dcpl = H5Dget_create_plist(id)
    defer { H5Pclose(dcpl) }
    var flags: UInt32 = 0
    var count = 0
    var config: UInt32 = 0
    return H5Pget_filter_by_id2(
      dcpl, H5Z_filter_t(H5Z_FILTER_FLETCHER32), &flags, &count, nil, 0, nil, &config) >= 0
  }

  /// Writes all values (their count must equal the dataset's), converted to the stored type.
  public func write<T: HDF5Element>(_ values: [T]) throws {
    guard values.count == count else {
      throw error("writing \(values.count) values into \(count)")
    }
    guard !values.isEmpty else { return }
    let status = values.withUnsafeBytes { buffer in
      H5Dwrite(id, T.nativeType, H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), buffer.baseAddress)
    }
    guard status >= 0 else { throw error("cannot write \(T.self) values") }
  }

  /// Throws unless the stored values are integers or floats.
  func requireNumeric() throws {
    guard elementClass.isNumeric else {
      throw error("holds \(elementClass) values, expected numbers")
    }
  }
}
