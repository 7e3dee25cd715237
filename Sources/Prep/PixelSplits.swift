import Data
import HDF5

/// Writes the three splits of a pixel task one image at a time (DATASETS.md 2.2): each split's
/// `pixels` [N, H·W] uint8, `labels` and `source_index`, in the order images arrive.
final class PixelSplits {
  private let writer: DatasetWriter
  private let groups: [HDF5Group]
  private let sinks: [RowSink<UInt8>]
  private var labels: [[Int32]] = [[], [], []]
  private var sources: [[Int64]] = [[], [], []]
  private let numClasses: Int

  /// Creates the split groups for `counts` images (train, valid, test) of `rowSize` pixels.
  init(_ writer: DatasetWriter, counts: [Int], rowSize: Int, numClasses: Int, file: String) throws {
    for (name, count) in zip(DatasetFormat.splitNames, counts) where count == 0 {
      throw DataError(file: file, field: name, "the \(name) split would be empty")
    }
    self.writer = writer
    self.numClasses = numClasses
    groups = try DatasetFormat.splitNames.map { try writer.split($0) }
    sinks = try zip(groups, counts).map { group, count in
      RowSink(
        try writer.createRows("pixels", of: UInt8.self, rows: count, rowSize: rowSize, in: group),
        rowSize: rowSize)
    }
  }

  /// Appends one image to split `split` (0 train, 1 valid, 2 test).
  func append(_ pixels: [UInt8], label: Int32, source: Int, split: Int) throws {
    try sinks[split].append(pixels)
    labels[split].append(label)
    sources[split].append(Int64(source))
  }

  /// Writes labels, source indices and attributes; returns the split summaries.
  func finish() throws -> [PrepSummary.Split] {
    var summaries: [PrepSummary.Split] = []
    for (index, group) in groups.enumerated() {
      try sinks[index].flush()
      try group.writeDataset("labels", labels[index])
      try group.writeDataset("source_index", sources[index])
      try writer.writeSplitAttributes(
        group, labels: labels[index], numClasses: numClasses,
        extra: [
          ("max_example_length", try group.openDataset("pixels").shape[1]), ("num_truncated", 0),
        ])
      summaries.append(
        PrepSummary.Split(name: DatasetFormat.splitNames[index], examples: labels[index].count))
    }
    return summaries
  }

  /// PIL's `convert("L")`: (19595·R + 38470·G + 7471·B + 32768) >> 16.
  static func luma(_ red: UInt8, _ green: UInt8, _ blue: UInt8) -> UInt8 {
    let r: Int = 19_595 * Int(red)
    let g: Int = 38_470 * Int(green)
    let b: Int = 7_471 * Int(blue)
    return UInt8((r + g + b + 32_768) >> 16)
  }
}
