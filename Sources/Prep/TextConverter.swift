import Data

/// LRA Text (DATASETS.md 3.2): `aclImdb_v1.tar.gz` streamed directly, or the extracted `aclImdb`
/// tree; reviews as raw bytes cut to 4,000, eos appended; train = `train/{neg,pos}`, test =
/// `test/{neg,pos}`, `/valid` a soft link to `/test`.
enum TextConverter {
  /// A labelled review: its path below the split folder (`neg/…` or `pos/…`) and its bytes.
  struct Review {
    let relativePath: String
    let label: Int32
    let id: Int
    let rating: Int
    let bytes: [UInt8]
  }

  /// Converts `options.raw`: the archive, the `aclImdb` folder or a folder holding it.
  static func convert(_ options: PrepOptions, progress: Bool) throws -> PrepSummary {
    let maxLength = options.maxLength ?? ByteCounts.defaultMaxLength
    let (splitReviews, description, digest, rawBytes) =
      RawFiles.isFile(options.raw)
      ? try fromArchive(options.raw, progress: progress)
      : try fromTree(options.raw, progress: progress)
    var counts = ByteCounts()
    var splits: [TokenSplit] = []
    for (index, reviews) in splitReviews.enumerated() {
      var split = TokenSplit()
      for (position, review) in reviews.enumerated() {
        counts.append(review.bytes[...], to: &split, maxLength: maxLength, train: index == 0)
        split.finishExample(label: review.label, source: position)
      }
      splits.append(split)
    }
    let vocabulary = counts.vocabulary
    let writer = try DatasetWriter(path: options.out, compress: options.compress)
    try writer.writeHeader(
      task: "text", inputKind: .tokens, numClasses: 2, maxLength: maxLength,
      splitSeed: options.splitSeed ?? 0, sourceDescription: description, sourceSHA256: digest)
    try writer.writeVocabulary(vocabulary, withCLS: true)
    try writer.writeClasses(["neg", "pos"])
    let train = try splits[0].write(
      writer, name: "train", vocabSize: vocabulary.count, numClasses: 2, file: options.raw)
    let test = try splits[1].write(
      writer, name: "test", vocabSize: vocabulary.count, numClasses: 2, file: options.raw)
    try writer.root.createSoftLink("valid", target: "/test")
    try writer.commit()
    var valid = test
    valid.name = "valid"
    valid.note = "same examples as test"
    return PrepSummary(
      task: "text", path: options.out, splits: [train, valid, test], vocabSize: vocabulary.count,
      rawBytes: rawBytes)
  }

  /// Reviews of the extracted tree, per split (train, test) in source-index order.
  private static func fromTree(_ raw: String, progress: Bool) throws
    -> ([[Review]], String, String, Int)
  {
    let nested = RawFiles.join(raw, "aclImdb")
    let root = RawFiles.isDirectory(nested) ? nested : raw
    var splits: [[Review]] = []
    var total = 0
    for split in ["train", "test"] {
      var reviews: [Review] = []
      for label in ["neg", "pos"] {
        let folder = RawFiles.join(RawFiles.join(root, split), label)
        let names = try RawFiles.list(folder)
        let bar = ProgressMeter("text \(split)/\(label)", total: names.count, enabled: progress)
        for name in names {
          let path = RawFiles.join(folder, name)
          let bytes = try RawFiles.bytes(path)
          total += bytes.count
          reviews.append(try review(label + "/" + name, bytes, file: path))
          bar.advance()
        }
        bar.finish()
      }
      splits.append(sorted(reviews))
    }
    return (splits, "aclImdb reviews from the tree \(root)", "", total)
  }

  /// Reviews streamed from `aclImdb_v1.tar.gz` (or any tar libarchive reads).
  private static func fromArchive(_ path: String, progress: Bool) throws
    -> ([[Review]], String, String, Int)
  {
    var digests = SourceDigests()
    try digests.add(file: path)
    var splits: [[Review]] = [[], []]
    let bar = ProgressMeter("text \(path)", total: 50_000, enabled: progress)
    let wanted = { (name: String) in memberSplit(name) != nil }
    try ArchiveReader.forEachMember(of: path, want: wanted) { name, bytes in
      guard let (split, relative) = memberSplit(name) else { return }
      splits[split].append(try review(relative, bytes, file: path + ":" + name))
      bar.advance()
    }
    bar.finish()
    for (index, name) in ["train", "test"].enumerated() where splits[index].isEmpty {
      throw DataError(file: path, field: "archive", "holds no aclImdb/\(name)/{neg,pos} reviews")
    }
    return (
      splits.map(sorted), "aclImdb reviews from the archive \(path)", digests.text,
      RawFiles.size(path)
    )
  }

  /// For `aclImdb/<split>/<neg|pos>/<file>`: the split index and `<neg|pos>/<file>`.
  private static func memberSplit(_ name: String) -> (Int, String)? {
    let parts = name.split(separator: "/").filter { $0 != "." }
    guard parts.count == 4, parts[0] == "aclImdb",
      let split = ["train", "test"].firstIndex(of: String(parts[1])),
      parts[2] == "neg" || parts[2] == "pos"
    else { return nil }
    return (split, parts[2] + "/" + parts[3])
  }

  /// A checked review: name `<int>_<int>.txt`, not empty.
  private static func review(_ relative: String, _ bytes: [UInt8], file: String) throws -> Review {
    let name = relative.split(separator: "/").last ?? ""
    let parts = name.split(separator: "_")
    guard name.hasSuffix(".txt"), parts.count == 2, let id = Int(parts[0]),
      let rating = Int(parts[1].dropLast(4))
    else { throw DataError(file: file, field: "name", "is not <int>_<int>.txt") }
    guard !bytes.isEmpty else { throw DataError(file: file, field: "review", "is empty") }
    return Review(
      relativePath: relative, label: relative.hasPrefix("pos/") ? 1 : 0, id: id, rating: rating,
      bytes: bytes)
  }

  /// Source-index order: `neg/` before `pos/`, then numeric id (then rating).
  private static func sorted(_ reviews: [Review]) -> [Review] {
    reviews.sorted { ($0.label, $0.id, $0.rating) < ($1.label, $1.id, $1.rating) }
  }
}
