import Data

/// A fairseq dictionary file (`Dictionary.save`): one `symbol count` per line, most frequent
/// first, without the four special symbols, which take ids 0–3; line k has id 4 + k.
public struct FairseqDictionary {
  /// The symbols in file order.
  public let symbols: [String]
  /// Their counts.
  public let counts: [Int64]

  /// Parses the text of a dictionary file; errors name `file` and the line.
  public init(text: String, file: String) throws {
    var symbols: [String] = []
    var counts: [Int64] = []
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    where !raw.isEmpty {
      var line = Substring(raw)
      if line.hasSuffix(" #fairseq:overwrite") { line = line.dropLast(" #fairseq:overwrite".count) }
      guard let space = line.lastIndex(of: " "),
        let count = Int64(line[line.index(after: space)...]),
        count >= 0, space > line.startIndex
      else {
        throw TorchFileError("\(file): line \(index + 1): expected 'symbol count'")
      }
      symbols.append(String(line[..<space]))
      counts.append(count)
    }
    self.symbols = symbols
    self.counts = counts
  }

  /// For each fairseq id (specials, the symbols, then `<CLS>` when `withCLS`), its id in the
  /// vocabulary seqboat's preparation builds from the same counts (`Vocabulary.fairseq`, `<CLS>`
  /// after it), and that vocabulary's row count.
  public func tokenMap(withCLS: Bool) -> (ids: [Int], rows: Int) {
    var table: [[UInt8]: Int64] = [:]
    for (s, c) in zip(symbols, counts) where table[Array(s.utf8)] == nil {
      table[Array(s.utf8)] = c
    }
    let ours = Vocabulary.fairseq(counts: table)
    var ids = Array(0..<4)
    for s in symbols { ids.append(Int(ours.id(of: Array(s.utf8)) ?? 3)) }
    if withCLS { ids.append(ours.count) }
    return (ids, ours.count + (withCLS ? 1 : 0))
  }
}
