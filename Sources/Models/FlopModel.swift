/// The analytic matmul FLOP model of MODEL.md §9: multiply-adds of one forward pass, counting
/// matrix multiplications only (no EMA convolution, norms, activations, softmax, embeddings or
/// optimizer). FLOPs = 2 × multiply-adds; a training step counts 3 × the forward FLOPs.
public struct FlopModel {
  /// The model's hyperparameters.
  public let config: ModelConfig

  /// The FLOP model of `config`.
  public init(_ config: ModelConfig) { self.config = config }

  /// The attention width `c` of a Mega layer at sequence length `length` (C_eff of §3.3).
  public func megaChunk(length: Int) -> Int {
    config.chunkSize < 0 || length < config.chunkSize ? length : config.chunkSize
  }

  /// Multiply-adds per token of one Mega layer (projections, NFFN, attention) at `length`.
  public func megaLayerMACs(length: Int) -> Double {
    let (e, h, z) = (Double(config.embedDim), Double(config.hiddenDim), Double(config.zDim))
    let f = Double(max(config.ffnDim, 0))
    let c = Double(megaChunk(length: length))
    return e * h + e * (z + h + 2 * e) + h * e + 2 * e * f + c * (z + h)
  }

  /// Multiply-adds per token of one SeqBoat layer at `length` whose batch's compressed length is
  /// `compressedLength` (the longest activated sequence; `length` on the uncompressed path; 0 when
  /// no token is active). This is the executed figure of §9; `compressedLength = length` gives
  /// the dense one.
  public func seqBoatLayerMACs(length: Int, compressedLength lc: Int) -> Double {
    let (e, h, z) = (Double(config.embedDim), Double(config.hiddenDim), Double(config.zDim))
    let w = config.chunkSize
    let l = Double(max(length, 1))
    // Windowed: each padded block of W queries against 3W (causal 2W) keys; global: lc × lc.
    let attention: Double
    if w > 0 {
      let padded = Double((lc + w - 1) / w * w)
      attention = padded / l * Double(config.causal ? 2 : 3) * Double(w) * (z + h)
    } else {
      attention = Double(lc) * Double(lc) / l * (z + h)
    }
    let nffn = 2 * e * Double(max(config.ffnDim, 0))
    return e * (e + 2) + Double(lc) / l * (e * (z + 2 * h) + h * e) + attention + nffn
  }

  /// Multiply-adds of the output head for a batch of `batch` sequences of `length` tokens whose
  /// targets are `targets` (language models; ignored by classifiers).
  public func headMACs(batch: Int, length: Int, targets: [Int]) -> Double {
    let e = Double(config.embedDim)
    switch config.task {
    case .lra, .sc:
      let (din, dc) = (Double(config.classifierInDim), Double(config.classifierOutDim))
      let n = config.classifierHiddenLayers
      let hidden = n == 0 ? 0 : din * dc + Double(n - 1) * dc * dc
      return Double(batch) * (hidden + dc * Double(config.classes))
    case .lm:
      let tokens = Double(batch * length)
      guard let cutoffs = config.adaptiveCutoffs else {
        return tokens * e * Double(config.vocabSize)
      }
      let bounds = [0] + cutoffs + [config.vocabSize]
      var macs = tokens * e * Double(cutoffs[0] + cutoffs.count)
      var d = config.embedDim
      for i in 1..<(bounds.count - 1) {
        d /= config.adaptiveFactor
        let inBand = targets.filter { $0 >= bounds[i] && $0 < bounds[i + 1] }.count
        macs += Double(inBand) * (e * Double(d) + Double(d * (bounds[i + 1] - bounds[i])))
      }
      return macs
    }
  }

  /// Multiply-adds of the adaptive input projections for `tokens` (0 without adaptive input).
  public func adaptiveInputMACs(tokens: [Int]) -> Double {
    guard let cutoffs = config.adaptiveCutoffs else { return 0 }
    let bounds = [0] + cutoffs + [config.vocabSize]
    var macs = 0.0
    var d = config.embedDim
    for i in 0..<(bounds.count - 1) {
      let inBand = tokens.filter { $0 >= bounds[i] && $0 < bounds[i + 1] }.count
      macs += Double(inBand) * Double(d * config.embedDim)
      d /= config.adaptiveFactor
    }
    return macs
  }

  /// Forward FLOPs (2 × multiply-adds) of one batch of `batch × length`. SeqBoat models pass the
  /// compressed length of every layer (`compressedLengths`, one per layer, as executed); language
  /// models pass their input tokens and targets.
  public func forwardFLOPs(
    batch: Int, length: Int, compressedLengths: [Int] = [], tokens: [Int] = [],
    targets: [Int] = []
  ) -> Double {
    let perToken: Double
    switch config.family {
    case .mega: perToken = Double(config.layers) * megaLayerMACs(length: length)
    case .seqboat:
      let lengths =
        compressedLengths.isEmpty
        ? Array(repeating: length, count: config.layers) : compressedLengths
      perToken = lengths.reduce(0) { $0 + seqBoatLayerMACs(length: length, compressedLength: $1) }
    }
    let macs =
      Double(batch * length) * perToken + headMACs(batch: batch, length: length, targets: targets)
      + adaptiveInputMACs(tokens: tokens)
    return 2 * macs
  }
}
