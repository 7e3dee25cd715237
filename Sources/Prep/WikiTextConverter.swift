import Data

/// WikiText-103 (DATASETS.md 3.8): each line split on whitespace runs, eos appended; fairseq
/// dictionary from train (no `<CLS>`); valid/test words missing from it become `<unk>`
/// (counted); articles start at ` = Title = ` lines after a blank line, or at line 0.
enum WikiTextConverter {
  /// Converts the folder `options.raw` (or its `wikitext-103` subfolder).
  static func convert(_ options: PrepOptions, progress: Bool) throws -> PrepSummary {
    let nested = RawFiles.join(options.raw, "wikitext-103")
    let root = RawFiles.isDirectory(nested) ? nested : options.raw
    var counter = SymbolCounter()
    var splits: [LMSplit] = []
    var files: [String] = []
    var rawBytes = 0
    var digests = SourceDigests()
    for (index, name) in ["train", "valid", "test"].enumerated() {
      let candidates = [
        RawFiles.join(root, "wiki.\(name).tokens"), RawFiles.join(root, "\(name).txt"),
      ]
      guard let path = candidates.first(where: RawFiles.isFile) else {
        throw DataError(
          file: candidates[0], field: "file", "does not exist (nor \(name).txt)")
      }
      files.append(path)
      let bytes = try RawFiles.bytes(path)
      rawBytes += bytes.count
      digests.add(path, bytes)
      splits.append(
        read(bytes, train: index == 0, counter: &counter, label: name, progress: progress))
    }
    let vocabulary = counter.vocabulary()
    let table = counter.remapTable(vocabulary)
    let writer = try DatasetWriter(path: options.out, compress: options.compress)
    try writer.writeHeader(
      task: "wikitext103", inputKind: .lmTokens, numClasses: 0,
      maxLength: max(splits.map(\.longestLine).max() ?? 1, 1), splitSeed: options.splitSeed ?? 0,
      sourceDescription: "WikiText-103 token files " + files.joined(separator: ", "),
      sourceSHA256: digests.text)
    try writer.writeVocabulary(vocabulary, withCLS: false)
    var summaries: [PrepSummary.Split] = []
    for (index, name) in DatasetFormat.splitNames.enumerated() {
      var split = splits[index]
      for position in split.tokens.indices {
        let id = split.tokens[position]
        if id == TokenSplit.provisionalEOS {
          split.tokens[position] = DatasetFormat.eosID
        } else {
          split.tokens[position] = table.ids[Int(id)]
          if table.missing[Int(id)] { split.unknown += 1 }
        }
      }
      summaries.append(
        try split.write(writer, name: name, vocabSize: vocabulary.count, file: files[index]))
    }
    try writer.commit()
    return PrepSummary(
      task: "wikitext103", path: options.out, splits: summaries, vocabSize: vocabulary.count,
      rawBytes: rawBytes)
  }

  /// Tokenises one file into provisional ids.
  static func read(
    _ bytes: [UInt8], train: Bool, counter: inout SymbolCounter, label: String, progress: Bool
  ) -> LMSplit {
    var split = LMSplit()
    split.docStarts = [0]
    let lines = RawFiles.lines(bytes)
    let bar = ProgressMeter("wikitext103 \(label)", total: lines.count, enabled: progress)
    var previousBlank = false
    var lineTokens: [ArraySlice<UInt8>] = []
    for (index, line) in lines.enumerated() {
      lineTokens.removeAll(keepingCapacity: true)
      Whitespace.split(line, into: &lineTokens)
      if index > 0, previousBlank, isTitle(lineTokens) { split.docStarts.append(Int64(index)) }
      for token in lineTokens { split.tokens.append(counter.id(token, train: train)) }
      split.endLine(eos: TokenSplit.provisionalEOS)
      previousBlank = lineTokens.isEmpty
      if index % 4096 == 0 { bar.advance(4096) }
    }
    bar.finish()
    return split
  }

  /// Whether a line's tokens are `= X ... =` with exactly one `=` on each side.
  static func isTitle(_ tokens: [ArraySlice<UInt8>]) -> Bool {
    let equals: [UInt8] = [61]
    return tokens.count >= 3 && tokens.first!.elementsEqual(equals)
      && tokens.last!.elementsEqual(equals) && !tokens[1].elementsEqual(equals)
      && !tokens[tokens.count - 2].elementsEqual(equals)
  }
}

/// Splitting UTF-8 text on runs of whitespace as Python's `str.split()` does (ASCII whitespace,
/// the separators U+001C–U+001F, U+0085, U+00A0 and the Unicode space characters).
enum Whitespace {
  /// The byte length of the whitespace character at `index` of `bytes`, or 0.
  static func length(_ bytes: ArraySlice<UInt8>, _ index: Int) -> Int {
    let byte = bytes[index]
    if byte == 32 || (9...13).contains(byte) || (28...31).contains(byte) { return 1 }
    guard byte >= 0xC2, index + 1 < bytes.endIndex else { return 0 }
    let second = bytes[index + 1]
    if byte == 0xC2 { return second == 0x85 || second == 0xA0 ? 2 : 0 }
    guard index + 2 < bytes.endIndex else { return 0 }
    let third = bytes[index + 2]
    switch (byte, second) {
    case (0xE1, 0x9A): return third == 0x80 ? 3 : 0
    case (0xE2, 0x80):
      return (0x80...0x8A).contains(third) || third == 0xA8 || third == 0xA9 || third == 0xAF
        ? 3 : 0
    case (0xE2, 0x81): return third == 0x9F ? 3 : 0
    case (0xE3, 0x80): return third == 0x80 ? 3 : 0
    default: return 0
    }
  }

  /// Appends the whitespace-separated pieces of `line` to `pieces`.
  static func split(_ line: ArraySlice<UInt8>, into pieces: inout [ArraySlice<UInt8>]) {
    var index = line.startIndex
    var start = -1
    while index < line.endIndex {
      let space = length(line, index)
      if space > 0 {
        if start >= 0 { pieces.append(line[start..<index]) }
        start = -1
        index += space
      } else {
        if start < 0 { start = index }
        index += 1
      }
    }
    if start >= 0 { pieces.append(line[start..<line.endIndex]) }
  }
}
