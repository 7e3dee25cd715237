import Data

/// LRA Pathfinder-32 and Path-X (DATASETS.md 3.5, 3.6): metadata files in numeric order, their
/// lines in order, one PNG each; empty PNGs are skipped with a note; 80/10/10 by the seeded
/// permutation, each split in walk order.
enum PathfinderConverter {
  /// One image listed in the metadata.
  struct Entry {
    let path: String
    let label: Int32
  }

  /// Converts `options.raw` (`pathfinder32` or `pathfinder128`, or the difficulty folder itself)
  /// for `task` with images of `side` × `side`.
  static func convert(_ options: PrepOptions, task: String, side: Int, progress: Bool) throws
    -> PrepSummary
  {
    let nested = RawFiles.join(options.raw, options.difficulty)
    let root = RawFiles.isDirectory(nested) ? nested : options.raw
    var entries = try walk(root)
    var skipped: [String] = []
    entries.removeAll { entry in
      guard RawFiles.size(entry.path) == 0 else { return false }
      skipped.append(entry.path)
      note("skipping empty image \(entry.path)")
      return true
    }
    if !skipped.isEmpty { note("skipped \(skipped.count) empty image(s)") }
    let count = entries.count
    let seed = options.splitSeed ?? 42
    let indices = try options.splitIndices.map {
      try SplitIndices(path: $0, count: count, allowTest: true)
    }
    let assignment = try SplitAssignment.carveOut(
      count: count, valid: count / 10, test: count / 10, seed: seed, indices: indices)
    let writer = try DatasetWriter(path: options.out, compress: options.compress)
    try writer.writeHeader(
      task: task, inputKind: .pixels, numClasses: 2, maxLength: side * side, splitSeed: seed,
      sourceDescription: "Pathfinder PNGs and metadata in \(root)", sourceSHA256: "")
    try ImageConverter.writePixelAttributes(writer, side: side, mean: 0.5, std: 0.5)
    try writer.writeClasses(["0", "1"])
    let counts = (0..<3).map { split in assignment.filter { $0 == split }.count }
    let splits = try PixelSplits(
      writer, counts: counts, rowSize: side * side, numClasses: 2, file: root)
    let bar = ProgressMeter(task, total: count, enabled: progress)
    var rawBytes = 0
    for (index, entry) in entries.enumerated() {
      let bytes = try RawFiles.bytes(entry.path)
      rawBytes += bytes.count
      let image = try PNGDecoder.decode(bytes, file: entry.path)
      guard image.width == side, image.height == side else {
        throw DataError(
          file: entry.path, field: "png",
          "is \(image.width) x \(image.height), expected \(side) x \(side)")
      }
      try splits.append(image.pixels, label: entry.label, source: index, split: assignment[index])
      bar.advance()
    }
    bar.finish()
    let summaries = try splits.finish()
    try writer.commit()
    return PrepSummary(
      task: task, path: options.out, splits: summaries, vocabSize: nil, rawBytes: rawBytes)
  }

  /// The images listed by `root/metadata/*.npy` (numeric order of the stems, lines in order).
  static func walk(_ root: String) throws -> [Entry] {
    let folder = RawFiles.join(root, "metadata")
    var numbered: [(Int, String)] = []
    for name in try RawFiles.list(folder) where name.hasSuffix(".npy") {
      guard let stem = Int(name.dropLast(4)) else {
        throw DataError(file: RawFiles.join(folder, name), field: "name", "stem is not a number")
      }
      numbered.append((stem, name))
    }
    guard !numbered.isEmpty else {
      throw DataError(file: folder, field: "directory", "holds no metadata .npy files")
    }
    var entries: [Entry] = []
    for (_, name) in numbered.sorted(by: { $0.0 < $1.0 }) {
      let path = RawFiles.join(folder, name)
      for (row, line) in RawFiles.lines(try RawFiles.bytes(path)).enumerated() {
        let fields = RawFiles.text(line).split(whereSeparator: \.isWhitespace)
        if fields.isEmpty { continue }
        guard fields.count >= 4 else {
          throw DataError(
            file: path, field: "line \(row + 1)", "has \(fields.count) fields, expected at least 4")
        }
        guard let label = Int32(fields[3]), label == 0 || label == 1 else {
          throw DataError(
            file: path, field: "line \(row + 1)", "label \"\(fields[3])\" is not 0 or 1")
        }
        let image = RawFiles.join(RawFiles.join(root, String(fields[0])), String(fields[1]))
        guard RawFiles.isFile(image) else {
          throw DataError(file: path, field: "line \(row + 1)", "image \(image) does not exist")
        }
        entries.append(Entry(path: image, label: label))
      }
    }
    return entries
  }
}
