import Tensor

/// SeqBoat's encoder and decoder layers (`SeqBoatSentenceEncoderLayer`, `SeqBoatDecoderLayer`,
/// MODEL.md §4.10): the unit, then an NFFN when F > 0. Names `{unitName}.*` (`mega_layer` in the
/// encoder, `slag_layer` in the decoder) and `nffn.*`.
public final class SeqBoatLayer: Module {
  /// The unit.
  public let unit: SeqBoatUnit
  /// `nffn`, absent when F ≤ 0.
  public let nffn: NormalizedFFN?
  /// The unit's state-dict name.
  public let unitName: String

  /// A layer: `options.causal` selects the decoder layer (`slag_layer`, NFFN with truncated
  /// init and `activationDropout`) or the encoder layer (`mega_layer`, NFFN with plain init and
  /// the values' dropout).
  public init(
    _ options: SeqBoatUnitOptions, ffnHiddenDim: Int, activationDropout: Float = 0,
    collective: Collective = SingleProcess(), rng: inout SplitMix64
  ) {
    unit = SeqBoatUnit(options, collective: collective, rng: &rng)
    unitName = options.causal ? "slag_layer" : "mega_layer"
    nffn =
      ffnHiddenDim > 0
      ? NormalizedFFN(
        embedDim: options.embedDim, hiddenDim: ffnHiddenDim, activation: options.activation,
        normType: options.normType, prenorm: options.prenorm, dropout: options.dropout,
        hiddenDropout: options.causal ? activationDropout : options.hiddenDropout,
        weightInit: options.causal ? .truncatedNormal(std: 0.02, bound: 0.04) : .normal(std: 0.02),
        collective: collective, rng: &rng) : nil
  }

  /// Train or eval mode for every sub-layer.
  public var training: Bool {
    get { unit.training }
    set {
      unit.training = newValue
      nffn?.training = newValue
    }
  }

  public var parameters: [(name: String, tensor: Tensor)] {
    scoped(unitName, unit.parameters) + scoped("nffn", nffn?.parameters ?? [])
  }

  public var buffers: [(name: String, tensor: Tensor)] {
    scoped(unitName, unit.buffers) + scoped("nffn", nffn?.buffers ?? [])
  }

  /// The layer on `x` (`[L, B, E]`) with an optional padding mask (`[B, L]`, true = padding).
  public func callAsFunction(_ x: Tensor, paddingMask: [Bool]? = nil, actBias: Float = 0)
    -> Tensor
  {
    let out = unit(x, paddingMask: paddingMask, actBias: actBias)
    return nffn.map { $0(out) } ?? out
  }
}
