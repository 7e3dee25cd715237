import CHDF5

/// Partial reads and writes along the first dimension: hyperslab selections, one `H5Dread` or
/// `H5Dwrite` per call.
extension HDF5Dataset {
  /// The values of the rows in `ranges` (sorted, non-overlapping ranges of the first
  /// dimension), concatenated in file order, read with one union of hyperslabs.
  public func read<T: HDF5Element>(ranges: [Range<Int>], as type: T.Type = T.self) throws -> [T] {
    try requireNumeric()
    guard !shape.isEmpty else { throw error("a scalar dataset has no rows") }
    let nonEmpty = ranges.filter { !$0.isEmpty }
    var previousEnd = 0
    for range in nonEmpty {
      guard range.lowerBound >= previousEnd, range.upperBound <= shape[0] else {
        throw error("row ranges must be sorted, disjoint and within 0..<\(shape[0]): \(range)")
      }
      previousEnd = range.upperBound
    }
    let total = nonEmpty.reduce(0) { $0 + $1.count } * rowSize
    var values = [T](repeating: T.zero, count: total)
    guard total > 0 else { return values }
    let fileSpace = try select(nonEmpty)
    defer { H5Sclose(fileSpace) }
    let memorySpace = rowSpace(total / max(rowSize, 1))
    defer { H5Sclose(memorySpace) }
    let status = values.withUnsafeMutableBytes { buffer in
      H5Dread(id, T.nativeType, memorySpace, fileSpace, hid_t(H5P_DEFAULT), buffer.baseAddress)
    }
    guard status >= 0 else { throw error("cannot read \(nonEmpty.count) row ranges") }
    return values
  }

  /// The values of `rows` (any order, repeats allowed), each row's values in the order the
  /// rows are given; the distinct rows are read with one union of hyperslabs.
  public func read<T: HDF5Element>(rows: [Int], as type: T.Type = T.self) throws -> [T] {
    let distinct = Array(Set(rows)).sorted()
    var ranges: [Range<Int>] = []
    for row in distinct {
      if let last = ranges.last, last.upperBound == row {
        ranges[ranges.count - 1] = last.lowerBound..<(row + 1)
      } else {
        ranges.append(row..<(row + 1))
      }
    }
    let packed: [T] = try read(ranges: ranges)
    let width = rowSize
    var slot: [Int: Int] = [:]
    for (index, row) in distinct.enumerated() { slot[row] = index }
    var values: [T] = []
    values.reserveCapacity(rows.count * width)
    for row in rows {
      let start = slot[row]! * width
      values.append(contentsOf: packed[start..<(start + width)])
    }
    return values
  }

  /// Writes `values` (whole rows) into the rows starting at `firstRow`.
  public func write<T: HDF5Element>(_ values: [T], atRow firstRow: Int) throws {
    guard !shape.isEmpty, rowSize > 0 else { throw error("has no rows to write") }
    guard values.count % rowSize == 0 else {
      throw error("\(values.count) values are not whole rows of \(rowSize)")
    }
    let rowCount = values.count / rowSize
    guard firstRow >= 0, firstRow + rowCount <= shape[0] else {
      throw error("rows \(firstRow)..<\(firstRow + rowCount) outside 0..<\(shape[0])")
    }
    guard rowCount > 0 else { return }
    let fileSpace = try select([firstRow..<(firstRow + rowCount)])
    defer { H5Sclose(fileSpace) }
    let memorySpace = rowSpace(rowCount)
    defer { H5Sclose(memorySpace) }
    let status = values.withUnsafeBytes { buffer in
      H5Dwrite(id, T.nativeType, memorySpace, fileSpace, hid_t(H5P_DEFAULT), buffer.baseAddress)
    }
    guard status >= 0 else { throw error("cannot write rows at \(firstRow)") }
  }

  /// A memory space of `rows` rows shaped like the dataset's rows, so HDF5 copies whole
  /// contiguous rows instead of iterating element by element.
  private func rowSpace(_ rows: Int) -> hid_t {
    var dims = shape.map { hsize_t($0) }
    dims[0] = hsize_t(rows)
    return H5Screate_simple(Int32(dims.count), &dims, nil)
  }

  /// A copy of the dataset's space with the union of `ranges` (non-empty, in bounds) selected.
  private func select(_ ranges: [Range<Int>]) throws -> hid_t {
    let space = H5Dget_space(id)
    guard space >= 0 else { throw error("cannot get dataspace") }
    for (index, range) in ranges.enumerated() {
      var start = [hsize_t](repeating: 0, count: shape.count)
      var count = shape.map { hsize_t($0) }
      start[0] = hsize_t(range.lowerBound)
      count[0] = hsize_t(range.count)
      let op = index == 0 ? H5S_SELECT_SET : H5S_SELECT_OR
      guard H5Sselect_hyperslab(space, op, &start, nil, &count, nil) >= 0 else {
        H5Sclose(space)
        throw error("cannot select rows \(range)")
      }
    }
    return space
  }
}
