import Tensor

/// A Mega layer (MODEL.md §3.9): gated attention, then an NFFN when F > 0; names `mega_layer.*`,
/// `nffn.*`. The encoder form (`MegaSentenceEncoderLayer`, LRA and Speech Commands) has a
/// bidirectional EMA; the decoder form (`MegaDecoderLayer` without cross-attention, language
/// models) a causal EMA and causal masks within each chunk.
public final class MegaLayer: Module {
  /// `mega_layer`.
  public let megaLayer: GatedAttention
  /// `nffn`, absent when F ≤ 0.
  public let nffn: NormalizedFFN?
  /// Whether this is the decoder (causal) form.
  public let causal: Bool

  /// A layer with attention configuration `attention` (its `bidirectional` is set by `causal`),
  /// NFFN hidden width `ffnHiddenDim` and NFFN hidden-activation dropout `activationDropout`
  /// (default: the attention's hidden dropout, as the encoder passes it).
  public init(
    attention: GatedAttentionConfig, ffnHiddenDim: Int, causal: Bool,
    activationDropout: Float? = nil, rng: inout SplitMix64
  ) {
    var config = attention
    config.bidirectional = !causal
    self.causal = causal
    megaLayer = GatedAttention(config, rng: &rng)
    nffn =
      ffnHiddenDim > 0
      ? NormalizedFFN(
        embedDim: config.embedDim, hiddenDim: ffnHiddenDim, activation: config.activation,
        normType: config.normType, normAffine: config.normAffine, prenorm: config.prenorm,
        dropout: config.dropout, hiddenDropout: activationDropout ?? config.hiddenDropout,
        rng: &rng) : nil
  }

  public var members: [ModuleMember] { [.child("mega_layer", megaLayer)] + .child("nffn", nffn) }

  /// The layer on `x` (`[L, B, E]`; L a multiple of the chunk when L ≥ C) with an optional
  /// padding mask (`[B, L]`, true = padding); `chunkSize` overrides the attention chunk and
  /// `emaState` carries the EMA across segments (evaluation only, MODEL.md §2.6).
  public func callAsFunction(
    _ x: Tensor, paddingMask: [Bool]? = nil, chunkSize: Int? = nil, emaState: EMAState? = nil,
    _ ctx: ForwardContext
  ) throws -> Tensor {
    let out = try megaLayer(
      x, paddingMask: paddingMask, causal: causal, chunkSize: chunkSize, emaState: emaState, ctx
    ).output
    return try nffn.map { try $0(out, ctx) } ?? out
  }
}
