import HDF5

/// Appends fixed-size rows to a 2-D dataset in blocks, so a split larger than memory can be
/// written one example at a time.
final class RowSink<T: HDF5Element> {
  private let dataset: HDF5Dataset
  private let rowSize: Int
  private let blockRows: Int
  private var buffer: [T] = []
  private var nextRow = 0

  /// A sink writing into `dataset` (rows of `rowSize`), `blockRows` rows per write.
  init(_ dataset: HDF5Dataset, rowSize: Int, blockRows: Int = 256) {
    self.dataset = dataset
    self.rowSize = rowSize
    self.blockRows = blockRows
    buffer.reserveCapacity(rowSize * blockRows)
  }

  /// Appends one row (`rowSize` values).
  func append<C: Collection>(_ row: C) throws where C.Element == T {
    buffer.append(contentsOf: row)
    if buffer.count >= rowSize * blockRows { try flush() }
  }

  /// Writes the buffered rows.
  func flush() throws {
    guard !buffer.isEmpty else { return }
    try dataset.write(buffer, atRow: nextRow)
    nextRow += buffer.count / rowSize
    buffer.removeAll(keepingCapacity: true)
  }
}
