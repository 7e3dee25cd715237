import Tensor

/// Mega's language-model decoder layer (`MegaDecoderLayer` without cross-attention, MODEL.md
/// §3.9): gated attention with a causal EMA and causal chunk masks, then an NFFN when F > 0.
/// Names `mega_layer.*`, `nffn.*`.
public final class MegaDecoderLayer: Module {
  /// `mega_layer`.
  public let megaLayer: GatedAttention
  /// `nffn`, absent when F ≤ 0.
  public let nffn: NormalizedFFN?

  /// A layer with attention configuration `attention` (its `bidirectional` is forced off), NFFN
  /// hidden width `ffnHiddenDim` and NFFN hidden-activation dropout `activationDropout`.
  public init(
    attention: GatedAttentionConfig, ffnHiddenDim: Int, activationDropout: Float = 0,
    rng: inout SplitMix64, collective: Collective = SingleProcess()
  ) {
    var config = attention
    config.bidirectional = false
    megaLayer = GatedAttention(config, rng: &rng, collective: collective)
    nffn =
      ffnHiddenDim > 0
      ? NormalizedFFN(
        embedDim: config.embedDim, hiddenDim: ffnHiddenDim, activation: config.activation,
        normType: config.normType, normAffine: config.normAffine, prenorm: config.prenorm,
        dropout: config.dropout, hiddenDropout: activationDropout, collective: collective,
        rng: &rng) : nil
  }

  /// Train or eval mode for every sub-layer.
  public var training: Bool {
    get { megaLayer.training }
    set {
      megaLayer.training = newValue
      nffn?.training = newValue
    }
  }

  public var parameters: [(name: String, tensor: Tensor)] {
    scoped("mega_layer", megaLayer.parameters) + scoped("nffn", nffn?.parameters ?? [])
  }

  public var buffers: [(name: String, tensor: Tensor)] {
    scoped("mega_layer", megaLayer.buffers) + scoped("nffn", nffn?.buffers ?? [])
  }

  /// The layer on `x` (`[L, B, E]`; L a multiple of the chunk when L ≥ C) with causal masking
  /// within each chunk and an optional padding mask (`[B, L]`, true = padding).
  public func callAsFunction(_ x: Tensor, paddingMask: [Bool]? = nil) -> Tensor {
    let out = megaLayer(x, paddingMask: paddingMask, causal: true).output
    return nffn.map { $0(out) } ?? out
  }
}
