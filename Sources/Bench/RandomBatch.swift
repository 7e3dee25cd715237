import Models
import Tensor

extension BenchShape {
  /// A micro-batch of random data at this shape: token ids drawn uniformly from the non-special
  /// rows (ids ≥ 4), pixel and audio values from N(0, 1), random classes; no padding.
  public func randomBatch(seed: UInt64 = 11) -> MicroBatch {
    var rng = SplitMix64(seed: seed)
    let n = tokens
    func ids() -> [Int] {
      (0..<n).map { _ in 4 + Int(rng.next() % UInt64(max(config.vocabSize - 4, 1))) }
    }
    switch config.task {
    case .lm:
      return .languageModel(tokens: ids(), targets: ids(), batch: batch)
    case .lra, .sc:
      let targets = (0..<batch).map { _ in Int(rng.next() % UInt64(max(config.classes, 1))) }
      if config.input == .tokens {
        return .classification(.tokens(ids(), batch: batch), targets: targets)
      }
      let values = Tensor.randn([batch, length], rng: &rng)
      return .classification(.values(values), targets: targets)
    }
  }
}

extension MicroBatch {
  /// Input tokens and targets of a language-model batch (empty for classifiers).
  var tokensAndTargets: (tokens: [Int], targets: [Int]) {
    if case .languageModel(let tokens, let targets, _) = self { return (tokens, targets) }
    return ([], [])
  }
}
