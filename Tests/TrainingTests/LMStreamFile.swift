import Data

extension TrainingFixture {
  /// A byte-level stream file: lines of a repeating pattern with a seeded twist, `lines` lines per
  /// split of 9–17 tokens with `</s>`, except that the lines numbered in `longLines` have 71.
  static func writeStream(_ path: String, lines: Int, longLines: Set<Int> = []) throws {
    let letters = (0..<12).map { [UInt8(97 + $0)] }
    let vocabulary = Vocabulary.fairseq(
      counts: Dictionary(uniqueKeysWithValues: letters.map { ($0, 10) }))
    let writer = try DatasetWriter(path: path)
    try writer.writeHeader(
      task: "enwik8", inputKind: .lmTokens, numClasses: 0, maxLength: 64, splitSeed: 0,
      sourceDescription: "test stream", sourceSHA256: "")
    try writer.writeVocabulary(vocabulary, withCLS: false)
    for (s, name) in DatasetFormat.splitNames.enumerated() {
      var tokens: [Int32] = []
      var offsets: [Int64] = [0]
      for line in 0..<lines {
        let start = (line * 5 + s) % 12
        for i in 0..<(longLines.contains(line) ? 70 : 8 + line % 9) {
          tokens.append(vocabulary.id(of: letters[(start + i * 3) % 12])!)
        }
        tokens.append(DatasetFormat.eosID)
        offsets.append(Int64(tokens.count))
      }
      let group = try writer.split(name)
      try writer.writeTokens(tokens, vocabSize: vocabulary.count, name: "tokens", in: group)
      try group.writeDataset("line_offsets", offsets)
      try writer.writeSplitAttributes(group, labels: [], numClasses: 0, extra: [])
    }
    try writer.commit()
  }
}
