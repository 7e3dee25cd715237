/// Where a micro-batch's examples sit in the global batch of the update: this rank's share is
/// the examples `first ..< first + count` of `total`. Dropout masks are drawn by global example,
/// so that they do not depend on how a batch is split over ranks.
public struct ExampleSpan: Sendable, Equatable {
  /// Global index of this share's first example.
  public let first: Int
  /// Examples in this share (the local batch size).
  public let count: Int
  /// Examples in the whole micro-batch, over all ranks.
  public let total: Int

  /// The span `first ..< first + count` of `total` examples.
  public init(first: Int, count: Int, total: Int) {
    precondition(first >= 0 && count >= 0 && first + count <= total, "example span")
    self.first = first
    self.count = count
    self.total = total
  }
}

/// How the elements of a tensor under dropout relate to the examples of the batch.
public enum DropoutLayout: Sendable {
  /// `[L, B, W]`, or its rows flattened to `[L·B, W]`: row `t·B + b` is position t of example b.
  case timeMajor
  /// `[B, …]`: each example's elements contiguous. `virtualSize` (≥ every example's size) is the
  /// stride between examples in the global numbering when an example's size depends on the local
  /// batch (SeqBoat's slots: pass L·W), nil when it does not.
  case exampleMajor(virtualSize: Int?)
  /// Rows of an example-major `[B·R, W]` tensor (R rows per example) gathered into
  /// `[rows.count, W]`: row k is row `rows[k]` of the original.
  case gatheredRows([Int], rowsPerExample: Int)
}

/// Maps the flat index of an element of this rank's tensor to its index in the tensor the whole
/// micro-batch would give on one process (with `virtualSize` strides where sizes differ), so
/// that a mask element follows (global example, position in it) and nothing else.
public struct DropoutIndexMap: Sendable {
  /// Elements per local row (time-major: the last dimension; example-major: one example).
  @usableFromInline let width: Int
  /// Stride of a global row.
  @usableFromInline let stride: Int
  /// Examples in the local batch.
  @usableFromInline let batch: Int
  /// Examples in the global batch.
  @usableFromInline let globalBatch: Int
  /// Global index of the local batch's first example.
  @usableFromInline let first: Int
  /// Gathered rows: local row k is original row `rows[k]`.
  @usableFromInline let rows: [Int]?
  /// Rows per example of the tensor gathered from.
  @usableFromInline let rowsPerExample: Int

  /// The map for a tensor of `count` elements whose last dimension is `width`, laid out as
  /// `layout`, holding the examples `span`. Nil when the map is the identity (one process).
  public init?(_ layout: DropoutLayout, count: Int, width: Int, span: ExampleSpan) {
    batch = max(span.count, 1)
    globalBatch = span.total
    first = span.first
    switch layout {
    case .timeMajor:
      (self.width, stride, rows, rowsPerExample) = (width, width, nil, 1)
    case .exampleMajor(let virtualSize):
      self.width = count / batch
      stride = max(virtualSize ?? self.width, self.width)
      (rows, rowsPerExample) = (nil, 1)
    case .gatheredRows(let gathered, let perExample):
      (self.width, stride, rows, rowsPerExample) = (width, width, gathered, max(perExample, 1))
    }
    if rows == nil && first == 0 && batch == globalBatch && stride == self.width { return nil }
  }

  /// The global index of local element `i`.
  @inlinable public func global(_ i: Int) -> Int {
    let r = i / width
    return global(row: r, column: i - r * width)
  }

  /// The global index of column `column` of local row `row`.
  @usableFromInline func global(row: Int, column: Int) -> Int {
    if let rows {
      let b = rows[row] / rowsPerExample
      return ((first + b) * rowsPerExample + rows[row] - b * rowsPerExample) * stride + column
    }
    let t = row / batch
    return (t * globalBatch + first + row - t * batch) * stride + column
  }

  /// Calls `body(offset, globalStart, length)` for the runs of `first ..< first + count` that
  /// stay within one local row (consecutive global indices).
  @usableFromInline func runs(first: Int, count: Int, _ body: (Int, Int, Int) -> Void) {
    var (r, c) = (first / width, first % width)
    var done = 0
    while done < count {
      let length = Swift.min(width - c, count - done)
      body(done, global(row: r, column: c), length)
      done += length
      (r, c) = (r + 1, 0)
    }
  }
}
