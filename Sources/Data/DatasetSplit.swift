import HDF5

/// One split of a dataset file: the small tables read whole at open (offsets, labels, lengths)
/// and the bulk arrays, read per batch with one hyperslab union per array.
public final class DatasetSplit {
  /// `train`, `valid` or `test`.
  public let name: String
  /// The split group.
  public let group: HDF5Group
  /// Examples (classification) or lines (language modelling).
  public let count: Int
  /// Class of each example (empty for language modelling).
  public let labels: [Int32]
  /// Example i = tokens[offsets[i] ..< offsets[i+1]] (token tasks).
  public let offsets: [Int64]
  /// Second documents of retrieval pairs (empty otherwise).
  public let offsetsB: [Int64]
  /// Samples present before padding (audio).
  public let lengths: [Int32]
  /// Line j = tokens[lineOffsets[j] ..< lineOffsets[j+1]] (language modelling).
  public let lineOffsets: [Int64]
  /// Article k = lines docOffsets[k] ..< docOffsets[k+1] (wikitext103; empty otherwise).
  public let docOffsets: [Int64]
  /// The bulk array: tokens, pixels or audio.
  let bulk: HDF5Dataset
  /// The second documents' tokens (retrieval).
  let bulkB: HDF5Dataset?
  let vocabSize: Int
  let file: String
  /// The bulk arrays read whole at open, when they fitted the memory budget.
  private var resident: ResidentBulk?

  /// Bulk arrays held in memory.
  private enum ResidentBulk {
    case tokens([Int32], [Int32])
    case bytes([UInt8])
    case samples([Int16])
  }

  /// Opens and checks the split in `group` (DATASETS.md 2.2 and 2.6).
  init(
    group: HDF5Group, name: String, kind: InputKind, task: String, numClasses: Int,
    vocabSize: Int, image: ImageInfo?, audio: AudioInfo?, check: DatasetChecks
  ) throws {
    self.name = name
    self.group = group
    self.vocabSize = vocabSize
    file = check.file
    let field = { (member: String) in "/\(name)/\(member)" }
    var offsetsB: [Int64] = []
    var bulkB: HDF5Dataset?
    var lengths: [Int32] = []
    var lineOffsets: [Int64] = []
    var docOffsets: [Int64] = []
    var offsets: [Int64] = []
    switch kind {
    case .tokens:
      let table = try check.offsetTable(group, "offsets", into: "tokens")
      offsets = table.offsets
      bulk = table.values
      if task == "retrieval" || group.exists("tokens_b") {
        let second = try check.offsetTable(group, "offsets_b", into: "tokens_b")
        offsetsB = second.offsets
        guard offsetsB.count == offsets.count else {
          throw check.fail(
            field("offsets_b"),
            "has \(offsetsB.count) entries, expected \(offsets.count) like offsets")
        }
        bulkB = second.values
      }
      count = offsets.count - 1
    case .pixels:
      bulk = try check.dataset(group, "pixels", rank: 2)
      let size = (image?.height ?? 0) * (image?.width ?? 0)
      guard bulk.shape[1] == size else {
        throw check.fail(
          field("pixels"),
          "rows have \(bulk.shape[1]) values, expected image_height x image_width = \(size)")
      }
      count = bulk.shape[0]
    case .audio:
      bulk = try check.dataset(group, "audio", rank: 2)
      let clip = audio?.clipSamples ?? 0
      guard bulk.shape[1] == clip else {
        throw check.fail(
          field("audio"), "rows have \(bulk.shape[1]) samples, expected clip_samples \(clip)")
      }
      count = bulk.shape[0]
      lengths = try check.dataset(group, "lengths", rank: 1).read()
      guard lengths.count == count else {
        throw check.fail(field("lengths"), "has \(lengths.count) entries, expected \(count)")
      }
      if let index = lengths.firstIndex(where: { $0 < 0 || Int($0) > clip }) {
        throw check.fail(
          field("lengths"), "entry \(index) (\(lengths[index])) is outside 0...\(clip)")
      }
    case .lmTokens:
      let table = try check.offsetTable(group, "line_offsets", into: "tokens")
      lineOffsets = table.offsets
      bulk = table.values
      count = lineOffsets.count - 1
      if group.exists("doc_offsets") {
        docOffsets = try check.dataset(group, "doc_offsets", rank: 1).read()
        try check.offsets(
          docOffsets, field: field("doc_offsets"), total: count,
          totalName: "the lines of " + field("line_offsets"))
      }
    }
    guard count > 0 else { throw check.fail("/" + name, "split is empty") }
    if kind != .lmTokens {
      labels = try check.dataset(group, "labels", rank: 1).read()
      guard labels.count == count else {
        throw check.fail(field("labels"), "has \(labels.count) entries, expected \(count) examples")
      }
      try check.labels(labels, field: field("labels"), classes: numClasses)
    } else {
      labels = []
    }
    self.offsets = offsets
    self.offsetsB = offsetsB
    self.bulkB = bulkB
    self.lengths = lengths
    self.lineOffsets = lineOffsets
    self.docOffsets = docOffsets
  }

  /// Total tokens of the split's stream (token and LM tasks) or bulk rows.
  public var bulkCount: Int { bulk.shape.first ?? 0 }

  /// The token sequences of `rows` (first documents, or second ones when `second`), read with
  /// one hyperslab union and checked against the vocabulary size.
  public func sequences(rows: [Int], second: Bool = false) throws -> [[Int32]] {
    let table = second ? offsetsB : offsets
    guard let dataset = second ? bulkB : bulk, !table.isEmpty else {
      throw DataError(
        file: file, field: "/\(name)", "has no \(second ? "second " : "")token sequences")
    }
    try checkRows(rows)
    let ranges = rows.map { Int(table[$0])..<Int(table[$0 + 1]) }
    let pieces = try tokenRanges(ranges, from: dataset, second: second)
    for (row, piece) in zip(rows, pieces) {
      try checkTokens(piece, field: second ? "tokens_b" : "tokens", what: "example \(row)")
    }
    return pieces
  }

  /// The tokens of each range of the stream (any order, overlaps allowed), read with one
  /// hyperslab union and checked against the vocabulary size.
  public func tokens(ranges: [Range<Int>]) throws -> [[Int32]] {
    let pieces = try tokenRanges(ranges, from: bulk, second: false)
    for (range, piece) in zip(ranges, pieces) {
      try checkTokens(piece, field: "tokens", what: "positions \(range)")
    }
    return pieces
  }

  /// The raw values (grey levels or PCM samples) of `rows`, one row after another, as `T`.
  public func rowValues<T: HDF5Element>(rows: [Int], as type: T.Type = Float.self) throws -> [T] {
    try checkRows(rows)
    let width = bulk.rowSize
    switch resident {
    case .bytes(let values) where T.self == UInt8.self:
      return rows.flatMap { values[($0 * width)..<(($0 + 1) * width)] } as! [T]
    case .samples(let values) where T.self == Int16.self:
      return rows.flatMap { values[($0 * width)..<(($0 + 1) * width)] } as! [T]
    default:
      return try bulk.read(rows: rows, as: T.self)
    }
  }

  /// Whether the bulk arrays are held in memory (read whole at open).
  public var isResident: Bool { resident != nil }

  /// Reads the bulk arrays whole if their in-memory size (int32 tokens, uint8 pixels, int16
  /// audio) is at most `budget` bytes; returns the bytes taken.
  func loadResident(kind: InputKind, budget: Int) throws -> Int {
    let size: Int
    switch kind {
    case .tokens, .lmTokens: size = (bulk.count + (bulkB?.count ?? 0)) * 4
    case .pixels: size = bulk.count
    case .audio: size = bulk.count * 2
    }
    guard size <= budget else { return 0 }
    switch kind {
    case .tokens, .lmTokens:
      resident = .tokens(try bulk.read(), try bulkB?.read() ?? [])
    case .pixels: resident = .bytes(try bulk.read())
    case .audio: resident = .samples(try bulk.read())
    }
    return size
  }

  private func checkRows(_ rows: [Int]) throws {
    if let bad = rows.first(where: { !(0..<count).contains($0) }) {
      throw DataError(file: file, field: "/\(name)", "row \(bad) is outside 0..<\(count)")
    }
  }

  private func checkTokens(_ tokens: [Int32], field: String, what: String) throws {
    if let bad = tokens.first(where: { $0 < 0 || Int($0) >= vocabSize }) {
      throw DataError(
        file: file, field: "/\(name)/\(field)",
        "token id \(bad) in \(what) is outside 0..<vocab_size \(vocabSize)")
    }
  }

  /// Reads the union of `ranges` once (merged, in file order) and cuts it back into pieces;
  /// slices the resident stream instead when there is one.
  private func tokenRanges(_ ranges: [Range<Int>], from dataset: HDF5Dataset, second: Bool)
    throws -> [[Int32]]
  {
    if case .tokens(let first, let other) = resident {
      let stream = second ? other : first
      if let bad = ranges.first(where: { $0.lowerBound < 0 || $0.upperBound > stream.count }) {
        throw DataError(
          file: file, field: "/\(name)", "token range \(bad) is outside 0..<\(stream.count)")
      }
      return ranges.map { Array(stream[$0]) }
    }
    let sorted = ranges.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
    var merged: [Range<Int>] = []
    for range in sorted {
      if let last = merged.last, range.lowerBound <= last.upperBound {
        merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
      } else {
        merged.append(range)
      }
    }
    let packed: [Int32] = try dataset.read(ranges: merged)
    var starts: [Int] = []
    var position = 0
    for range in merged {
      starts.append(position)
      position += range.count
    }
    return ranges.map { range in
      guard !range.isEmpty else { return [] }
      var low = 0
      var high = merged.count - 1
      while low < high {
        let middle = (low + high + 1) / 2
        if merged[middle].lowerBound <= range.lowerBound { low = middle } else { high = middle - 1 }
      }
      let start = starts[low] + range.lowerBound - merged[low].lowerBound
      return Array(packed[start..<(start + range.count)])
    }
  }
}
