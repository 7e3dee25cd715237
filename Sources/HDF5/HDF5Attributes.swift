import CHDF5

/// Attributes of a group or dataset: int64 and float64 scalars, int64/float64 arrays and
/// fixed-length NUL-terminated UTF-8 strings (`H5T_C_S1`, size = bytes + 1).
extension HDF5Object {
  /// The names of this object's attributes, in name order.
  public func attributeNames() throws -> [String] {
    var info = H5O_info_t()
    guard H5Oget_info2(id, &info, UInt32(H5O_INFO_NUM_ATTRS)) >= 0 else {
      throw error("cannot list attributes")
    }
    return try (0..<info.num_attrs).map { index in
      let name = readHDF5Name { buffer, size in
        Int(
          H5Aget_name_by_idx(
            id, ".", H5_INDEX_NAME, H5_ITER_INC, index, buffer, size, hid_t(H5P_DEFAULT)))
      }
      guard let name else { throw error("cannot read attribute name \(index)") }
      return name
    }
  }

  /// Whether the attribute `name` exists.
  public func hasAttribute(_ name: String) -> Bool { H5Aexists(id, name) > 0 }

  /// The class and number of values of the attribute `name`.
  public func attributeInfo(_ name: String) throws -> (elementClass: HDF5ElementClass, count: Int) {
    try withAttribute(name) { attribute in
      let type = H5Aget_type(attribute)
      defer { H5Tclose(type) }
      let space = H5Aget_space(attribute)
      defer { H5Sclose(space) }
      return (HDF5ElementClass(type: type), Int(H5Sget_simple_extent_npoints(space)))
    }
  }

  /// The values of the numeric attribute `name`, converted by HDF5 to `T`.
  public func attributeValues<T: HDF5Element>(_ name: String, as type: T.Type = T.self) throws
    -> [T]
  {
    let (elementClass, count) = try attributeInfo(name)
    guard elementClass.isNumeric else {
      throw attributeError(name, "holds \(elementClass), expected numbers")
    }
    var values = [T](repeating: T.zero, count: count)
    guard count > 0 else { return values }
    let status = try withAttribute(name) { attribute in
      values.withUnsafeMutableBytes { H5Aread(attribute, T.nativeType, $0.baseAddress) }
    }
    guard status >= 0 else { throw attributeError(name, "cannot read as \(T.self)") }
    return values
  }

  /// The single value of the numeric attribute `name` as int64.
  public func int64Attribute(_ name: String) throws -> Int64 {
    try scalar(attributeValues(name, as: Int64.self), name)
  }

  /// The single value of the numeric attribute `name` as float64.
  public func doubleAttribute(_ name: String) throws -> Double {
    try scalar(attributeValues(name, as: Double.self), name)
  }

  /// The values of the numeric attribute `name` as int64.
  public func int64ArrayAttribute(_ name: String) throws -> [Int64] {
    try attributeValues(name, as: Int64.self)
  }

  /// The fixed-length string attribute `name` (up to its first NUL).
  public func stringAttribute(_ name: String) throws -> String {
    try withAttribute(name) { attribute in
      let type = H5Aget_type(attribute)
      defer { H5Tclose(type) }
      guard H5Tget_class(type) == H5T_STRING else {
        throw attributeError(name, "is not a string")
      }
      guard H5Tis_variable_str(type) == 0 else {
        throw attributeError(name, "is a variable-length string, expected fixed-length")
      }
      let space = H5Aget_space(attribute)
      defer { H5Sclose(space) }
      guard H5Sget_simple_extent_npoints(space) == 1 else {
        throw attributeError(name, "is not a single string")
      }
      var bytes = [UInt8](repeating: 0, count: H5Tget_size(type) + 1)
      let status = bytes.withUnsafeMutableBytes { H5Aread(attribute, type, $0.baseAddress) }
      guard status >= 0 else { throw attributeError(name, "cannot read string") }
      return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
  }

  /// Sets the int64 scalar attribute `name` (replacing any existing one).
  public func setAttribute(_ name: String, int64 value: Int64) throws {
    try writeNumeric(name, [value], scalar: true)
  }

  /// Sets the float64 scalar attribute `name` (replacing any existing one).
  public func setAttribute(_ name: String, double value: Double) throws {
    try writeNumeric(name, [value], scalar: true)
  }

  /// Sets the 1-D int64 array attribute `name` (replacing any existing one).
  public func setAttribute(_ name: String, int64s values: [Int64]) throws {
    try writeNumeric(name, values, scalar: false)
  }

  /// Sets the 1-D float64 array attribute `name` (replacing any existing one).
  public func setAttribute(_ name: String, doubles values: [Double]) throws {
    try writeNumeric(name, values, scalar: false)
  }

  /// Sets the string attribute `name`: UTF-8, fixed length, NUL-terminated (`H5T_C_S1`).
  public func setAttribute(_ name: String, string value: String) throws {
    var bytes = Array(value.utf8)
    bytes.append(0)
    let type = H5Tcopy(chdf5_c_s1())
    defer { H5Tclose(type) }
    guard H5Tset_size(type, bytes.count) >= 0, H5Tset_strpad(type, H5T_STR_NULLTERM) >= 0,
      H5Tset_cset(type, H5T_CSET_UTF8) >= 0
    else { throw attributeError(name, "cannot make a string type") }
    let space = H5Screate(H5S_SCALAR)
    defer { H5Sclose(space) }
    try writeAttribute(name, type: type, space: space) { attribute in
      bytes.withUnsafeBytes { H5Awrite(attribute, type, $0.baseAddress) }
    }
  }

  /// Removes the attribute `name` if it exists.
  public func removeAttribute(_ name: String) throws {
    if hasAttribute(name), H5Adelete(id, name) < 0 {
      throw attributeError(name, "cannot remove attribute")
    }
  }

  private func writeNumeric<T: HDF5Element>(_ name: String, _ values: [T], scalar: Bool) throws {
    var dims = [hsize_t(values.count)]
    let space = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dims, nil)
    defer { H5Sclose(space) }
    try writeAttribute(name, type: T.nativeType, space: space) { attribute in
      values.isEmpty
        ? 0 : values.withUnsafeBytes { H5Awrite(attribute, T.nativeType, $0.baseAddress) }
    }
  }

  private func writeAttribute(
    _ name: String, type: hid_t, space: hid_t, write: (hid_t) -> herr_t
  ) throws {
    if hasAttribute(name), H5Adelete(id, name) < 0 {
      throw attributeError(name, "cannot replace attribute")
    }
    let attribute = H5Acreate2(id, name, type, space, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
    guard attribute >= 0 else { throw attributeError(name, "cannot create attribute") }
    defer { H5Aclose(attribute) }
    guard write(attribute) >= 0 else { throw attributeError(name, "cannot write attribute") }
  }

  private func withAttribute<R>(_ name: String, _ body: (hid_t) throws -> R) throws -> R {
    guard hasAttribute(name) else { throw attributeError(name, "missing attribute") }
    let attribute = H5Aopen(id, name, hid_t(H5P_DEFAULT))
    guard attribute >= 0 else { throw attributeError(name, "cannot open attribute") }
    defer { H5Aclose(attribute) }
    return try body(attribute)
  }

  private func scalar<T>(_ values: [T], _ name: String) throws -> T {
    guard values.count == 1, let value = values.first else {
      throw attributeError(name, "holds \(values.count) values, expected one")
    }
    return value
  }

  /// An error naming the attribute as `path@name`.
  func attributeError(_ name: String, _ reason: String) -> HDF5Error {
    HDF5Error(file: file.path, path: "\(path)@\(name)", reason)
  }
}
