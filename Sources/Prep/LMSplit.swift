import Data

/// One split of a language-model task as it is collected: the token stream (eos after every
/// line), line starts, article starts (wikitext103).
struct LMSplit {
  var tokens: [Int32] = []
  var lineOffsets: [Int64] = [0]
  var docStarts: [Int64] = []
  var unknown = 0

  /// The longest line, eos included.
  var longestLine: Int {
    zip(lineOffsets, lineOffsets.dropFirst()).map { Int($1 - $0) }.max() ?? 0
  }

  /// Ends the current line with `eos`.
  mutating func endLine(eos: Int32) {
    tokens.append(eos)
    lineOffsets.append(Int64(tokens.count))
  }

  /// Writes the split group `name` and returns its summary.
  func write(_ writer: DatasetWriter, name: String, vocabSize: Int, file: String) throws
    -> PrepSummary.Split
  {
    let lines = lineOffsets.count - 1
    guard lines > 0 else {
      throw DataError(file: file, field: name, "the \(name) split would be empty")
    }
    let group = try writer.split(name)
    try writer.writeTokens(tokens, vocabSize: vocabSize, name: "tokens", in: group)
    try group.writeDataset("line_offsets", lineOffsets)
    if !docStarts.isEmpty { try group.writeDataset("doc_offsets", docStarts + [Int64(lines)]) }
    let longest = longestLine
    for (attribute, value) in [
      ("num_examples", lines), ("num_tokens", tokens.count), ("max_example_length", longest),
      ("num_truncated", 0), ("num_unk", unknown), ("num_lines", lines),
      ("num_documents", docStarts.count),
    ] {
      try group.setAttribute(attribute, int64: Int64(value))
    }
    return PrepSummary.Split(name: name, examples: lines, tokens: tokens.count, unknown: unknown)
  }
}
