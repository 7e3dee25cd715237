import Data

/// ListOps (DATASETS.md 3.1): `basic_{train,val,test}.tsv` with a `Source<TAB>Target` header;
/// parentheses are deleted, the rest split on whitespace (15 symbols), eos appended.
enum ListOpsConverter {
  /// The 15 symbols of ListOps expressions.
  static let symbols: Set<[UInt8]> = Set(
    (["[MIN", "[MAX", "[MED", "[SM", "]"] + (0...9).map { "\($0)" }).map { Array($0.utf8) })
  /// Default truncation limit: 1,999 tokens + eos.
  static let defaultMaxLength = 2001

  /// Converts the folder `options.raw` (holding the three TSV files).
  static func convert(_ options: PrepOptions, progress: Bool) throws -> PrepSummary {
    let maxLength = options.maxLength ?? defaultMaxLength
    var counter = SymbolCounter()
    var splits: [TokenSplit] = []
    var rawBytes = 0
    var digests = SourceDigests()
    let files = ["basic_train.tsv", "basic_val.tsv", "basic_test.tsv"].map {
      RawFiles.join(options.raw, $0)
    }
    for (index, path) in files.enumerated() {
      let bytes = try RawFiles.bytes(path)
      rawBytes += bytes.count
      digests.add(path, bytes)
      splits.append(
        try readTSV(
          path, bytes, train: index == 0, maxLength: maxLength, counter: &counter,
          progress: progress))
    }
    return try ListOpsWriter.write(
      options, splits: splits, counter: counter, maxLength: maxLength,
      description: "LRA ListOps TSV files " + files.joined(separator: ", "), digests: digests.text,
      rawBytes: rawBytes)
  }

  /// Reads one TSV file into a split with provisional ids.
  static func readTSV(
    _ path: String, _ bytes: [UInt8], train: Bool, maxLength: Int, counter: inout SymbolCounter,
    progress: Bool
  ) throws -> TokenSplit {
    let lines = RawFiles.lines(bytes)
    guard let header = lines.first, RawFiles.text(header) == "Source\tTarget" else {
      throw DataError(file: path, field: "line 1", "missing header \"Source<TAB>Target\"")
    }
    var split = TokenSplit()
    let bar = ProgressMeter("listops \(path)", total: lines.count - 1, enabled: progress)
    var sequence: [Int32] = []
    for (row, line) in lines.dropFirst().enumerated() {
      let location = "line \(row + 2)"
      let fields = RawFiles.fields(line)
      guard fields.count == 2 else {
        throw DataError(file: path, field: location, "has \(fields.count) fields, expected 2")
      }
      guard let label = Int32(RawFiles.text(fields[1])), (0...9).contains(label) else {
        throw DataError(
          file: path, field: location, "Target \"\(RawFiles.text(fields[1]))\" is not 0..9")
      }
      sequence.removeAll(keepingCapacity: true)
      for token in fields[0].split(whereSeparator: { $0 == 32 || $0 == 9 }) {
        if token.count == 1, token.first == 40 || token.first == 41 { continue }
        let symbol = token.filter { $0 != 40 && $0 != 41 }
        if symbol.isEmpty { continue }
        guard symbols.contains(Array(symbol)) else {
          throw DataError(
            file: path, field: location, "unknown token \"\(RawFiles.text(symbol[...]))\"")
        }
        sequence.append(counter.id(symbol[...], train: train))
      }
      split.append(sequence, maxLength: maxLength, eos: TokenSplit.provisionalEOS)
      split.finishExample(label: label, source: row)
      bar.advance()
    }
    bar.finish()
    return split
  }
}

/// Writes a ListOps file (converted or generated) from splits with provisional ids.
enum ListOpsWriter {
  /// Builds the vocabulary from the train counts, remaps, writes every split, commits.
  static func write(
    _ options: PrepOptions, splits: [TokenSplit], counter: SymbolCounter, maxLength: Int,
    description: String, digests: String, rawBytes: Int
  ) throws -> PrepSummary {
    let vocabulary = counter.vocabulary()
    let table = counter.remapTable(vocabulary)
    let writer = try DatasetWriter(path: options.out, compress: options.compress)
    try writer.writeHeader(
      task: "listops", inputKind: .tokens, numClasses: 10, maxLength: maxLength,
      splitSeed: options.splitSeed ?? 0, sourceDescription: description, sourceSHA256: digests)
    try writer.writeVocabulary(vocabulary, withCLS: true)
    try writer.writeClasses((0...9).map { "\($0)" })
    var summaries: [PrepSummary.Split] = []
    for (name, split) in zip(DatasetFormat.splitNames, splits) {
      var final = split
      final.remap(table)
      summaries.append(
        try final.write(
          writer, name: name, vocabSize: vocabulary.count, numClasses: 10, file: options.raw))
    }
    try writer.commit()
    return PrepSummary(
      task: "listops", path: options.out, splits: summaries, vocabSize: vocabulary.count,
      rawBytes: rawBytes)
  }
}
