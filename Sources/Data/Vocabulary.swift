/// A token vocabulary in fairseq's layout: ids 0..3 are `<s>`, `<pad>`, `</s>`, `<unk>`, then
/// the symbols by descending train count (ties in ascending code-point order), then
/// `madeupword0000`, ... until the size is a multiple of 8 (DATASETS.md 3.0). Symbols are
/// UTF-8 byte strings.
public struct Vocabulary: Sendable {
  /// Every symbol in id order.
  public let symbols: [[UInt8]]
  /// Train-split count of each symbol (0 for specials and padding symbols).
  public let counts: [Int64]
  private let ids: [[UInt8]: Int32]

  /// A vocabulary of `symbols` in id order with their `counts`.
  public init(symbols: [[UInt8]], counts: [Int64]) {
    self.symbols = symbols
    self.counts = counts
    var ids: [[UInt8]: Int32] = [:]
    for (id, symbol) in symbols.enumerated() where ids[symbol] == nil { ids[symbol] = Int32(id) }
    self.ids = ids
  }

  /// Number of ids V.
  public var count: Int { symbols.count }

  /// The id of `symbol`, or nil when it is not in the vocabulary.
  public func id(of symbol: [UInt8]) -> Int32? { ids[symbol] }

  /// The fairseq dictionary of symbols counted in the train split.
  public static func fairseq(counts: [[UInt8]: Int64]) -> Vocabulary {
    let specials = DatasetFormat.specialSymbols.map { Array($0.utf8) }
    let ordered = counts.filter { !specials.contains($0.key) }.sorted { a, b in
      a.value != b.value ? a.value > b.value : a.key.lexicographicallyPrecedes(b.key)
    }
    var symbols = specials + ordered.map(\.key)
    var values = specials.map { _ in Int64(0) } + ordered.map(\.value)
    var pad = 0
    while symbols.count % 8 != 0 {
      let digits = String(pad)
      let name = "madeupword" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
      symbols.append(Array(name.utf8))
      values.append(0)
      pad += 1
    }
    return Vocabulary(symbols: symbols, counts: values)
  }

  /// The fixed byte vocabulary of the LRA byte-level tasks: byte b has id b + 4 and is written
  /// as its decimal value; 260 symbols padded to 264.
  public static func bytes(counts: [Int64] = Array(repeating: 0, count: 256)) -> Vocabulary {
    let specials = DatasetFormat.specialSymbols.map { Array($0.utf8) }
    var symbols = specials + (0..<256).map { Array("\($0)".utf8) }
    var values = specials.map { _ in Int64(0) } + counts
    for pad in 0..<4 {
      symbols.append(Array("madeupword000\(pad)".utf8))
      values.append(0)
    }
    return Vocabulary(symbols: symbols, counts: values)
  }
}
