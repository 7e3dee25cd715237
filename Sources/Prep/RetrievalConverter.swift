import Data

/// LRA Retrieval (DATASETS.md 3.3): `new_aan_pairs.{train,eval,test}.tsv`, five TAB fields
/// (label, id1, id2, text1, text2), no header; each text as bytes cut to 4,000, eos appended.
enum RetrievalConverter {
  /// Converts the folder `options.raw` holding the three TSV files.
  static func convert(_ options: PrepOptions, progress: Bool) throws -> PrepSummary {
    let maxLength = options.maxLength ?? ByteCounts.defaultMaxLength
    var counts = ByteCounts()
    var splits: [TokenSplit] = []
    var rawBytes = 0
    var digests = SourceDigests()
    let files = ["train", "eval", "test"].map {
      RawFiles.join(options.raw, "new_aan_pairs.\($0).tsv")
    }
    for (index, path) in files.enumerated() {
      let bytes = try RawFiles.bytes(path)
      rawBytes += bytes.count
      digests.add(path, bytes)
      let lines = RawFiles.lines(bytes)
      var split = TokenSplit()
      let bar = ProgressMeter("retrieval \(path)", total: lines.count, enabled: progress)
      for (row, line) in lines.enumerated() {
        let fields = RawFiles.fields(line)
        guard fields.count == 5 else {
          throw DataError(
            file: path, field: "line \(row + 1)", "has \(fields.count) fields, expected 5")
        }
        let text = RawFiles.text(fields[0])
        guard let value = Double(text), value.isFinite, Int(value) == 0 || Int(value) == 1 else {
          throw DataError(file: path, field: "line \(row + 1)", "label \"\(text)\" is not 0 or 1")
        }
        counts.append(fields[3], to: &split, maxLength: maxLength, train: index == 0)
        counts.append(fields[4], to: &split, maxLength: maxLength, train: index == 0, second: true)
        split.finishExample(label: Int32(value), source: row)
        bar.advance()
      }
      bar.finish()
      splits.append(split)
    }
    let vocabulary = counts.vocabulary
    let writer = try DatasetWriter(path: options.out, compress: options.compress)
    try writer.writeHeader(
      task: "retrieval", inputKind: .tokens, numClasses: 2, maxLength: maxLength,
      splitSeed: options.splitSeed ?? 0,
      sourceDescription: "LRA AAN pairs " + files.joined(separator: ", "),
      sourceSHA256: digests.text)
    try writer.writeVocabulary(vocabulary, withCLS: true)
    try writer.writeClasses(["0", "1"])
    var summaries: [PrepSummary.Split] = []
    for (index, name) in DatasetFormat.splitNames.enumerated() {
      summaries.append(
        try splits[index].write(
          writer, name: name, vocabSize: vocabulary.count, numClasses: 2, file: files[index]))
    }
    try writer.commit()
    return PrepSummary(
      task: "retrieval", path: options.out, splits: summaries, vocabSize: vocabulary.count,
      rawBytes: rawBytes)
  }
}
