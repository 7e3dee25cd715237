/// The translation between fairseq's token ids and seqboat's for one dictionary: ids in the order
/// of `Vocabulary.fairseq` over the same counts (seqboat's preparation), and the embedding rows
/// reordered to match. A language model keeps its row count; a classifier may gain the padding
/// rows seqboat's vocabulary adds (zero rows no input uses). Adaptive bands must keep their tokens.
struct FairseqTokenMap {
  /// Seqboat's id of each fairseq id.
  let ids: [Int]
  /// Seqboat's row count.
  let rows: Int
  /// fairseq's row count.
  let fairseqRows: Int
  /// Adaptive cutoffs (nil: one band).
  let cutoffs: [Int]?

  init(
    _ dictionary: FairseqDictionary, fairseqRows: Int, withCLS: Bool, cutoffs: [Int]?,
    languageModel: Bool
  ) throws {
    let (ids, rows) = dictionary.tokenMap(withCLS: withCLS)
    guard ids.count == fairseqRows else {
      throw TorchFileError(
        "--dict: \(dictionary.symbols.count) symbols give \(ids.count) ids (4 specials"
          + (withCLS ? ", <CLS>" : "") + "); the checkpoint's embedding has \(fairseqRows) rows")
    }
    if languageModel, rows != fairseqRows {
      throw TorchFileError(
        "--dict: seqboat's vocabulary of these symbols has \(rows) rows, the checkpoint "
          + "\(fairseqRows); a language model's output cannot gain rows")
    }
    self.ids = ids
    self.rows = rows
    self.fairseqRows = fairseqRows
    self.cutoffs = cutoffs
    if cutoffs != nil {
      for (f, o) in ids.enumerated() where band(f, fairseq: true) != band(o, fairseq: false) {
        let symbol = f >= 4 && f - 4 < dictionary.symbols.count ? dictionary.symbols[f - 4] : "?"
        throw TorchFileError(
          "--dict: token '\(symbol)' (fairseq id \(f)) would move to id \(o), into another "
            + "adaptive band")
      }
    }
  }

  /// The map stored in an imported checkpoint (`ids`) for a model of `rows` rows.
  init(ids: [Int], rows: Int, cutoffs: [Int]?) {
    self.ids = ids
    self.rows = rows
    self.fairseqRows = ids.count
    self.cutoffs = cutoffs
  }

  private func bounds(fairseq: Bool) -> [Int] {
    [0] + (cutoffs ?? []) + [fairseq ? fairseqRows : rows]
  }

  private func band(_ id: Int, fairseq: Bool) -> Int {
    bounds(fairseq: fairseq).dropFirst().firstIndex { id < $0 }.map { $0 - 1 } ?? -1
  }

  /// The rows of `data` (rows of `width` values: fairseq's band `band`, or the whole table when
  /// nil) in seqboat's order; rows no fairseq id maps to are zero. With `back`, the reverse:
  /// seqboat's rows in fairseq's order.
  func reorder(_ data: [Float], width: Int, band: Int?, back: Bool = false) -> [Float] {
    let (f, o) = (bounds(fairseq: true), bounds(fairseq: false))
    let (fStart, fEnd) = band.map { (f[$0], f[$0 + 1]) } ?? (0, fairseqRows)
    let (oStart, oEnd) = band.map { (o[$0], o[$0 + 1]) } ?? (0, rows)
    var out = [Float](repeating: 0, count: (back ? fEnd - fStart : oEnd - oStart) * width)
    for (fid, oid) in ids.enumerated() where (oStart..<oEnd).contains(oid) {
      let (from, to) = back ? (oid - oStart, fid - fStart) : (fid - fStart, oid - oStart)
      guard from >= 0, to >= 0, (from + 1) * width <= data.count, (to + 1) * width <= out.count
      else { continue }
      out.replaceSubrange(
        to * width..<(to + 1) * width, with: data[from * width..<(from + 1) * width])
    }
    return out
  }
}
