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
  /// The model's `act_bias`, added to the router's activation logit in `forward`.
  public let actBias: Float

  /// A layer: `options.causal` selects the decoder layer (`slag_layer`, NFFN with truncated
  /// init and `activationDropout`) or the encoder layer (`mega_layer`, NFFN with plain init and
  /// the values' dropout).
  public init(
    _ options: SeqBoatUnitOptions, ffnHiddenDim: Int, activationDropout: Float = 0,
    actBias: Float = 0, rng: inout SplitMix64
  ) {
    self.actBias = actBias
    unit = SeqBoatUnit(options, rng: &rng)
    unitName = options.causal ? "slag_layer" : "mega_layer"
    nffn =
      ffnHiddenDim > 0
      ? NormalizedFFN(
        embedDim: options.embedDim, hiddenDim: ffnHiddenDim, activation: options.activation,
        normType: options.normType, prenorm: options.prenorm, dropout: options.dropout,
        hiddenDropout: options.causal ? activationDropout : options.hiddenDropout,
        weightInit: options.causal ? .truncatedNormal(std: 0.02, bound: 0.04) : .normal(std: 0.02),
        rng: &rng) : nil
  }

  public var members: [ModuleMember] { [.child(unitName, unit)] + .child("nffn", nffn) }

  /// The layer on `x` (`[L, B, E]`) with an optional padding mask (`[B, L]`, true = padding).
  public func callAsFunction(
    _ x: Tensor, paddingMask: [Bool]? = nil, _ ctx: ForwardContext
  ) throws -> Tensor {
    let out = try unit(x, paddingMask: paddingMask, actBias: actBias, ctx)
    return try nffn.map { try $0(out, ctx) } ?? out
  }
}
