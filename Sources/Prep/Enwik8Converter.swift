import Data
import Foundation

/// enwik8 (DATASETS.md 3.9): bytes split by position (all but the last 2H train, then H valid,
/// H test); newline → eos, every other byte its fairseq id (symbols are decimal byte values),
/// an eos closing a split that does not end with a newline.
enum Enwik8Converter {
  /// Converts `options.raw`: `enwik8.zip`, the extracted `enwik8`, or a folder holding one.
  static func convert(_ options: PrepOptions, progress: Bool) throws -> PrepSummary {
    let (bytes, source, digest) = try load(options.raw)
    let hold = options.holdoutBytes
    guard hold > 0, bytes.count >= 3 * hold else {
      throw DataError(
        file: source, field: "size",
        "\(bytes.count) bytes is shorter than 3 x --holdout-bytes \(hold)")
    }
    let bounds = [
      0..<(bytes.count - 2 * hold), (bytes.count - 2 * hold)..<(bytes.count - hold),
      (bytes.count - hold)..<bytes.count,
    ]
    var counts: [[UInt8]: Int64] = [:]
    var byteCounts = [Int64](repeating: 0, count: 256)
    for byte in bytes[bounds[0]] { byteCounts[Int(byte)] += 1 }
    for (value, count) in byteCounts.enumerated() where count > 0 && value != 10 {
      counts[Array("\(value)".utf8)] = count
    }
    let vocabulary = Vocabulary.fairseq(counts: counts)
    let table = (0..<256).map { vocabulary.id(of: Array("\($0)".utf8)) }
    let splits = bounds.map { tokenize(bytes[$0], table: table) }
    let writer = try DatasetWriter(path: options.out, compress: options.compress)
    try writer.writeHeader(
      task: "enwik8", inputKind: .lmTokens, numClasses: 0,
      maxLength: max(splits.map(\.longestLine).max() ?? 1, 1),
      splitSeed: options.splitSeed ?? 0,
      sourceDescription: "enwik8 from \(source), holdout \(hold) bytes per split",
      sourceSHA256: digest)
    try writer.writeVocabulary(vocabulary, withCLS: false)
    var summaries: [PrepSummary.Split] = []
    let bar = ProgressMeter("enwik8", total: 3, enabled: progress)
    for (name, split) in zip(DatasetFormat.splitNames, splits) {
      summaries.append(
        try split.write(writer, name: name, vocabSize: vocabulary.count, file: source))
      bar.advance()
    }
    bar.finish()
    try writer.commit()
    return PrepSummary(
      task: "enwik8", path: options.out, splits: summaries, vocabSize: vocabulary.count,
      rawBytes: bytes.count)
  }

  /// The stream of `bytes`: newline → eos, other bytes by `table` (nil → `<unk>`, counted),
  /// and an eos closing a final line without newline.
  private static func tokenize(_ bytes: ArraySlice<UInt8>, table: [Int32?]) -> LMSplit {
    var split = LMSplit()
    split.tokens.reserveCapacity(bytes.count + 1)
    for byte in bytes {
      if byte == 10 {
        split.endLine(eos: DatasetFormat.eosID)
      } else if let id = table[Int(byte)] {
        split.tokens.append(id)
      } else {
        split.tokens.append(DatasetFormat.unkID)
        split.unknown += 1
      }
    }
    if bytes.last != 10 { split.endLine(eos: DatasetFormat.eosID) }
    return split
  }

  /// The 10^8 bytes, the file they came from and its digest entry.
  private static func load(_ raw: String) throws -> ([UInt8], String, String) {
    var path = raw
    if RawFiles.isDirectory(raw) {
      let zip = RawFiles.join(raw, "enwik8.zip")
      path = RawFiles.isFile(zip) ? zip : RawFiles.join(raw, "enwik8")
    }
    var digests = SourceDigests()
    guard isZip(path) else {
      let file = try RawFiles.bytes(path)
      digests.add(path, file)
      return (file, path, digests.text)
    }
    try digests.add(file: path)
    var members: [String] = []
    var found: [UInt8]?
    let wanted = { (name: String) in
      members.append(name)
      return found == nil && (name == "enwik8" || name.hasSuffix("/enwik8"))
    }
    try ArchiveReader.forEachMember(of: path, want: wanted) { found = $1 }
    guard let bytes = found else {
      throw DataError(
        file: path, field: "zip",
        "no member enwik8 (members: \(members.joined(separator: ", ")))")
    }
    return (bytes, path, digests.text)
  }

  /// Whether `path` is a zip archive: its name, or its first four bytes.
  private static func isZip(_ path: String) -> Bool {
    if path.hasSuffix(".zip") { return true }
    guard let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    let magic = (try? handle.read(upToCount: 4)).map { [UInt8]($0) }
    return magic == [0x50, 0x4B, 0x03, 0x04]
  }
}
