import Foundation
import HDF5

/// Writes a `seqboat-hdf5` file atomically: everything goes to a temporary file next to the
/// destination, which is renamed into place by `commit()` only after the file is complete and
/// closed; a writer released without `commit()` removes its temporary file.
public final class DatasetWriter {
  /// The final path.
  public let path: String
  /// The temporary path written until `commit()`.
  public let temporaryPath: String
  /// The file being written.
  public let file: HDF5File
  /// Its root group.
  public let root: HDF5Group
  /// Whether bulk arrays are shuffled + deflated.
  public let compress: Bool
  private var committed = false

  /// Starts writing the dataset file that will be at `path`.
  public init(path: String, compress: Bool = false) throws {
    self.path = path
    self.compress = compress
    let url = URL(fileURLWithPath: path)
    temporaryPath =
      url.deletingLastPathComponent().appendingPathComponent(
        ".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)"
      ).path
    file = try HDF5File.create(temporaryPath)
    root = try file.root()
    try root.setAttribute("format", string: DatasetFormat.name)
    try root.setAttribute("format_version", int64: DatasetFormat.version)
  }

  deinit {
    if !committed { unlink(temporaryPath) }
  }

  /// Writes the root attributes every file carries (DATASETS.md 2.3).
  public func writeHeader(
    task: String, inputKind: InputKind, numClasses: Int, maxLength: Int, splitSeed: Int64,
    sourceDescription: String, sourceSHA256: String
  ) throws {
    try root.setAttribute("task", string: task)
    try root.setAttribute("input_kind", string: inputKind.rawValue)
    try root.setAttribute("num_classes", int64: Int64(numClasses))
    try root.setAttribute("max_length", int64: Int64(maxLength))
    try root.setAttribute("split_seed", int64: splitSeed)
    try root.setAttribute("converter", string: "seqboat prep (format version 1)")
    try root.setAttribute("source_description", string: sourceDescription)
    try root.setAttribute("source_sha256", string: sourceSHA256)
  }

  /// Writes `/vocab` and the vocabulary attributes; `withCLS` adds `cls_id` = V (LRA tasks).
  public func writeVocabulary(_ vocabulary: Vocabulary, withCLS: Bool) throws {
    try writeStrings("vocab", vocabulary.symbols)
    try root.writeDataset("vocab/counts", vocabulary.counts)
    try root.setAttribute("vocab_size", int64: Int64(vocabulary.count))
    for (name, id) in [
      ("bos_id", DatasetFormat.bosID), ("pad_id", DatasetFormat.padID),
      ("eos_id", DatasetFormat.eosID), ("unk_id", DatasetFormat.unkID),
    ] {
      try root.setAttribute(name, int64: Int64(id))
    }
    try root.setAttribute("append_eos", int64: 1)
    if withCLS { try root.setAttribute("cls_id", int64: Int64(vocabulary.count)) }
  }

  /// Writes `/classes` (names in class order).
  public func writeClasses(_ names: [String]) throws {
    try writeStrings("classes", names.map { Array($0.utf8) })
  }

  /// Writes `group/bytes` + `group/offsets` for `strings`.
  public func writeStrings(_ group: String, _ strings: [[UInt8]]) throws {
    var offsets: [Int64] = [0]
    for string in strings { offsets.append(offsets.last! + Int64(string.count)) }
    try root.writeDataset(group + "/bytes", strings.flatMap { $0 })
    try root.writeDataset(group + "/offsets", offsets)
  }

  /// Creates the split group `name`.
  public func split(_ name: String) throws -> HDF5Group { try root.createGroup(name) }

  /// Writes a token stream `tokens` of a vocabulary of `vocabSize` as `name` in `group`: uint16
  /// when V ≤ 65,535 else int32, chunked to ≈64 KiB.
  public func writeTokens(_ tokens: [Int32], vocabSize: Int, name: String, in group: HDF5Group)
    throws
  {
    let chunk = [max(tokens.count, 1)]
    let dataset: HDF5Dataset
    if vocabSize <= 65_535 {
      dataset = try group.createDataset(
        name, of: UInt16.self, shape: [tokens.count], chunk: chunk.map { min($0, 32_768) },
        compress: compress)
    } else {
      dataset = try group.createDataset(
        name, of: Int32.self, shape: [tokens.count], chunk: chunk.map { min($0, 16_384) },
        compress: compress)
    }
    try dataset.write(tokens)
  }

  /// Creates a 2-D bulk array `name` [rows, rowSize] of `T` in `group`, chunked to ≈64 KiB,
  /// for the caller to fill with `write(_:atRow:)`.
  public func createRows<T: HDF5Element>(
    _ name: String, of type: T.Type, rows: Int, rowSize: Int, in group: HDF5Group
  ) throws -> HDF5Dataset {
    let chunkRows = max(1, 65_536 / (rowSize * MemoryLayout<T>.size))
    return try group.createDataset(
      name, of: T.self, shape: [rows, rowSize], chunk: [chunkRows, rowSize], compress: compress)
  }

  /// Writes the split attributes: `num_examples`, `class_counts` (when `numClasses` > 0) and
  /// the given extra int64 attributes.
  public func writeSplitAttributes(
    _ group: HDF5Group, labels: [Int32], numClasses: Int, extra: [(String, Int)]
  ) throws {
    try group.setAttribute("num_examples", int64: Int64(labels.count))
    if numClasses > 0 {
      var counts = [Int64](repeating: 0, count: numClasses)
      for (index, label) in labels.enumerated() {
        guard (0..<numClasses).contains(Int(label)) else {
          throw DataError(
            file: path, field: group.path + "/labels",
            "label \(label) of example \(index) is outside 0..<\(numClasses)")
        }
        counts[Int(label)] += 1
      }
      try group.setAttribute("class_counts", int64s: counts)
    }
    for (name, value) in extra { try group.setAttribute(name, int64: Int64(value)) }
  }

  /// Closes the file and renames it into place.
  public func commit() throws {
    try file.close()
    guard rename(temporaryPath, path) == 0 else {
      throw DataError(file: path, field: "/", "cannot rename \(temporaryPath) into place")
    }
    committed = true
  }
}
