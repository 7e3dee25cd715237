import Data

/// Gives each distinct symbol a provisional id in order of first sight and counts the symbols
/// of the train split; `vocabulary()` then builds the fairseq order and `remap` turns
/// provisional ids into final ones (unseen-in-train symbols become `<unk>`).
struct SymbolCounter {
  private(set) var symbols: [[UInt8]] = []
  private(set) var trainCounts: [Int64] = []
  /// Open addressing over FNV-1a hashes: each slot holds a provisional id + 1 (0 = empty).
  private var slots = [Int32](repeating: 0, count: 1 << 10)
  private var hashes: [UInt64] = []

  /// The provisional id of `symbol`, counted when `train`.
  mutating func id(_ symbol: ArraySlice<UInt8>, train: Bool) -> Int32 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in symbol { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    let mask = slots.count - 1
    var slot = Int(truncatingIfNeeded: hash) & mask
    while slots[slot] != 0 {
      let id = Int(slots[slot] - 1)
      if hashes[id] == hash, symbols[id].elementsEqual(symbol) {
        if train { trainCounts[id] += 1 }
        return Int32(id)
      }
      slot = (slot + 1) & mask
    }
    let id = Int32(symbols.count)
    slots[slot] = id + 1
    symbols.append(Array(symbol))
    hashes.append(hash)
    trainCounts.append(train ? 1 : 0)
    if symbols.count * 2 > slots.count { grow() }
    return id
  }

  /// Doubles the table and re-inserts every symbol.
  private mutating func grow() {
    slots = [Int32](repeating: 0, count: slots.count * 2)
    let mask = slots.count - 1
    for (id, hash) in hashes.enumerated() {
      var slot = Int(truncatingIfNeeded: hash) & mask
      while slots[slot] != 0 { slot = (slot + 1) & mask }
      slots[slot] = Int32(id + 1)
    }
  }

  /// The fairseq vocabulary of the symbols seen in train.
  func vocabulary() -> Vocabulary {
    var counts: [[UInt8]: Int64] = [:]
    for (symbol, count) in zip(symbols, trainCounts) where count > 0 { counts[symbol] = count }
    return Vocabulary.fairseq(counts: counts)
  }

  /// For each provisional id, its id in `vocabulary` (`<unk>` when absent) and whether it was
  /// absent (a literal `<unk>` is present: it maps to id 3 but is not counted as missing).
  func remapTable(_ vocabulary: Vocabulary) -> (ids: [Int32], missing: [Bool]) {
    let ids = symbols.map { vocabulary.id(of: $0) }
    return (ids.map { $0 ?? DatasetFormat.unkID }, ids.map { $0 == nil })
  }
}

extension TokenSplit {
  /// Replaces provisional ids by final ones and counts the tokens missing from the vocabulary.
  mutating func remap(_ table: (ids: [Int32], missing: [Bool])) {
    var unknown = 0
    let eos = DatasetFormat.eosID
    for stream in [true, false] {
      var values = stream ? tokens : tokensB
      for index in values.indices {
        values[index] = remapOne(values[index], table, eos, &unknown)
      }
      if stream { tokens = values } else { tokensB = values }
    }
    self.unknown = unknown
  }

  private func remapOne(
    _ id: Int32, _ table: (ids: [Int32], missing: [Bool]), _ eos: Int32, _ unknown: inout Int
  ) -> Int32 {
    guard id != Self.provisionalEOS else { return eos }
    if table.missing[Int(id)] { unknown += 1 }
    return table.ids[Int(id)]
  }

  /// The provisional stand-in for eos while ids are provisional.
  static let provisionalEOS: Int32 = -1
}
