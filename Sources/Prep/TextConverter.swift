import Data

/// LRA Text (DATASETS.md 3.2): the extracted `aclImdb` tree, reviews as raw bytes cut to 4,000,
/// eos appended; train = `train/{neg,pos}`, test = `test/{neg,pos}`, `/valid` a soft link to
/// `/test`.
enum TextConverter {
  /// Converts `options.raw`: the `aclImdb` folder or a folder holding it.
  static func convert(_ options: PrepOptions, progress: Bool) throws -> PrepSummary {
    let maxLength = options.maxLength ?? ByteCounts.defaultMaxLength
    let root =
      RawFiles.isDirectory(RawFiles.join(options.raw, "aclImdb"))
      ? RawFiles.join(options.raw, "aclImdb") : options.raw
    var counts = ByteCounts()
    var splits: [TokenSplit] = []
    var rawBytes = 0
    for name in ["train", "test"] {
      let folder = RawFiles.join(root, name)
      let files = try reviews(folder)
      var split = TokenSplit()
      let bar = Progress("text \(name)", total: files.count, enabled: progress)
      for (index, file) in files.enumerated() {
        let path = RawFiles.join(folder, file.relativePath)
        let bytes = try RawFiles.bytes(path)
        guard !bytes.isEmpty else { throw DataError(file: path, field: "review", "is empty") }
        rawBytes += bytes.count
        counts.append(bytes[...], to: &split, maxLength: maxLength, train: name == "train")
        split.finishExample(label: file.label, source: index)
        bar.advance()
      }
      bar.finish()
      splits.append(split)
    }
    let vocabulary = counts.vocabulary
    let writer = try DatasetWriter(path: options.out, compress: options.compress)
    try writer.writeHeader(
      task: "text", inputKind: .tokens, numClasses: 2, maxLength: maxLength,
      splitSeed: options.splitSeed ?? 0,
      sourceDescription: "aclImdb reviews from \(root) (train/{neg,pos}, test/{neg,pos})",
      sourceSHA256: "")
    try writer.writeVocabulary(vocabulary, withCLS: true)
    try writer.writeClasses(["neg", "pos"])
    let train = try splits[0].write(
      writer, name: "train", vocabSize: vocabulary.count, numClasses: 2, file: root + "/train")
    let test = try splits[1].write(
      writer, name: "test", vocabSize: vocabulary.count, numClasses: 2, file: root + "/test")
    try writer.root.createSoftLink("valid", target: "/test")
    try writer.commit()
    var valid = test
    valid.name = "valid"
    valid.note = "same examples as test"
    return PrepSummary(
      task: "text", path: options.out, splits: [train, valid, test], vocabSize: vocabulary.count,
      rawBytes: rawBytes)
  }

  /// A review file of a split folder.
  struct Review {
    let relativePath: String
    let label: Int32
  }

  /// The reviews of `folder` in source-index order: `neg/` before `pos/`, then numeric id.
  static func reviews(_ folder: String) throws -> [Review] {
    var reviews: [Review] = []
    for (label, name) in ["neg", "pos"].enumerated() {
      let directory = RawFiles.join(folder, name)
      var numbered: [(Int, Int, String)] = []
      for file in try RawFiles.list(directory) {
        let parts = file.split(separator: "_")
        guard file.hasSuffix(".txt"), parts.count == 2, let id = Int(parts[0]),
          let rating = Int(parts[1].dropLast(4))
        else {
          throw DataError(
            file: RawFiles.join(directory, file), field: "name", "is not <int>_<int>.txt")
        }
        numbered.append((id, rating, file))
      }
      numbered.sort { ($0.0, $0.1) < ($1.0, $1.1) }
      reviews += numbered.map { Review(relativePath: name + "/" + $0.2, label: Int32(label)) }
    }
    return reviews
  }
}
