import HDF5

/// The checks of DATASETS.md 2.6, each failing with one line naming the file and the field.
struct DatasetChecks {
  /// The file being checked.
  let file: String

  /// An error about `field`.
  func fail(_ field: String, _ reason: String) -> DataError {
    DataError(file: file, field: field, reason)
  }

  /// The dataset `name` of `group`, which must exist with `rank` dimensions of numbers
  /// (integers when `integer`).
  func dataset(_ group: HDF5Group, _ name: String, rank: Int, integer: Bool = true) throws
    -> HDF5Dataset
  {
    let field = path(group, name)
    guard group.exists(name) else {
      throw DataError(file: file, missing: .dataset, path: field)
    }
    guard group.kind(of: name) == .dataset else { throw fail(field, "is not a dataset") }
    let dataset = try group.openDataset(name)
    guard dataset.shape.count == rank else {
      throw fail(field, "has rank \(dataset.shape.count), expected \(rank)")
    }
    switch dataset.elementClass {
    case .integer: break
    case .float where !integer: break
    default:
      throw fail(
        field, "holds \(dataset.elementClass) values, expected \(integer ? "integers" : "numbers")")
    }
    return dataset
  }

  /// The integer attribute `name` of `object`.
  func int(_ object: HDF5Object, _ name: String) throws -> Int {
    try numeric(object, name) { Int(try object.int64Attribute(name)) }
  }

  /// The float attribute `name` of `object`, which must be finite.
  func double(_ object: HDF5Object, _ name: String) throws -> Double {
    let value = try numeric(object, name) { try object.doubleAttribute(name) }
    guard value.isFinite else { throw fail(attributeField(object, name), "is not finite") }
    return value
  }

  /// The string attribute `name` of `object`.
  func string(_ object: HDF5Object, _ name: String) throws -> String {
    try present(object, name)
    do { return try object.stringAttribute(name) } catch let error as HDF5Error {
      throw fail(attributeField(object, name), error.reason)
    }
  }

  /// The integer array attribute `name` of `object`.
  func ints(_ object: HDF5Object, _ name: String) throws -> [Int64] {
    try numeric(object, name) { try object.int64ArrayAttribute(name) }
  }

  /// The offsets table `offsets` of `group` and the one-dimensional dataset `values` it indexes,
  /// both read and checked (`offsets(_:field:total:totalName:)` against the length of `values`).
  func offsetTable(_ group: HDF5Group, _ offsets: String, into values: String) throws -> (
    offsets: [Int64], values: HDF5Dataset
  ) {
    let table: [Int64] = try dataset(group, offsets, rank: 1).read()
    let bulk = try dataset(group, values, rank: 1)
    try self.offsets(
      table, field: path(group, offsets), total: bulk.count, totalName: path(group, values))
    return (table, bulk)
  }

  /// The path of member `name` of `group`, as fields are named.
  func path(_ group: HDF5Group, _ name: String) -> String {
    group.path == "/" ? "/" + name : group.path + "/" + name
  }

  /// Checks an offsets table: starts at 0, never decreases, ends at `total`.
  func offsets(_ values: [Int64], field: String, total: Int, totalName: String) throws {
    guard let first = values.first, let last = values.last else {
      throw fail(field, "is empty (needs at least one entry)")
    }
    guard first == 0 else { throw fail(field, "starts at \(first), expected 0") }
    for index in 1..<values.count where values[index] < values[index - 1] {
      throw fail(field, "decreases at entry \(index) (\(values[index - 1]) > \(values[index]))")
    }
    guard last == Int64(total) else {
      throw fail(field, "ends at \(last), expected the length of \(totalName) (\(total))")
    }
  }

  /// Checks that every label is in `0..<classes`.
  func labels(_ values: [Int32], field: String, classes: Int) throws {
    if let index = values.firstIndex(where: { $0 < 0 || Int($0) >= classes }) {
      throw fail(field, "label \(values[index]) of example \(index) is outside 0..<\(classes)")
    }
  }

  private func present(_ object: HDF5Object, _ name: String) throws {
    guard object.hasAttribute(name) else {
      throw DataError(file: file, missing: .attribute, path: attributeField(object, name))
    }
  }

  private func numeric<T>(_ object: HDF5Object, _ name: String, _ read: () throws -> T) throws
    -> T
  {
    try present(object, name)
    do { return try read() } catch let error as HDF5Error {
      throw fail(attributeField(object, name), error.reason)
    }
  }

  private func attributeField(_ object: HDF5Object, _ name: String) -> String {
    object.path == "/" ? name : "\(object.path)@\(name)"
  }
}
