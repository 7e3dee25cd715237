import Tensor

#if canImport(Glibc)
  import Glibc
#endif

/// Loss conventions of fairseq (MODEL.md §5.8).
public enum Losses {
  /// Classification: the summed negative log-likelihood of `targets` over the batch (nats), and the
  /// number of correct argmax predictions.
  public static func classification(logits: Tensor, targets: [Int]) throws -> (
    loss: Tensor, correct: Int
  ) {
    let classes = logits.lastDim
    let rows = logits.count / max(classes, 1)
    guard targets.count == rows else {
      throw ModelInputError.shape(field: "target", "\(targets.count) targets for \(rows) rows")
    }
    if let bad = targets.first(where: { $0 < 0 || $0 >= classes }) {
      throw ModelInputError.tokenOutOfRange(field: "target", value: bad, vocabulary: classes)
    }
    var correct = 0
    for r in 0..<rows {
      let row = logits.data[(r * classes)..<((r + 1) * classes)]
      if row.firstIndex(of: row.max()!)! - r * classes == targets[r] { correct += 1 }
    }
    return (logits.crossEntropySum(targets: targets), correct)
  }

  /// A summed loss in nats per sample, as fairseq logs it: bits (`÷ ln 2`).
  public static func bits(_ lossSum: Double, sampleSize: Int) -> Double {
    lossSum / Double(max(sampleSize, 1)) / log(2)
  }

  /// Perplexity `2^bits`.
  public static func perplexity(bits: Double) -> Double { pow(2, bits) }
}
