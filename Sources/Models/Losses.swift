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
      var best = 0
      for j in 1..<max(classes, 1)
      where logits.data[r * classes + j] > logits.data[r * classes + best] {
        best = j
      }
      if best == targets[r] { correct += 1 }
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
