import Tensor

/// Mega's LRA / Speech Commands encoder layer (`MegaSentenceEncoderLayer`, MODEL.md §3.9): gated
/// attention with a bidirectional EMA, then an NFFN when F > 0. Names `mega_layer.*`, `nffn.*`.
public final class MegaEncoderLayer: Module {
  /// `mega_layer`.
  public let megaLayer: GatedAttention
  /// `nffn`, absent when F ≤ 0.
  public let nffn: NormalizedFFN?

  /// A layer with attention configuration `attention` (its `bidirectional` is forced on) and NFFN
  /// hidden width `ffnHiddenDim`.
  public init(
    attention: GatedAttentionConfig, ffnHiddenDim: Int, rng: inout SplitMix64,
    collective: Collective = SingleProcess()
  ) {
    var config = attention
    config.bidirectional = true
    megaLayer = GatedAttention(config, rng: &rng, collective: collective)
    nffn =
      ffnHiddenDim > 0
      ? NormalizedFFN(
        embedDim: config.embedDim, hiddenDim: ffnHiddenDim, activation: config.activation,
        normType: config.normType, normAffine: config.normAffine, prenorm: config.prenorm,
        dropout: config.dropout, hiddenDropout: config.hiddenDropout, collective: collective,
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

  /// The layer on `x` (`[L, B, E]`, L a multiple of the chunk when chunked) with an optional
  /// padding mask (`[B, L]`, true = padding).
  public func callAsFunction(_ x: Tensor, paddingMask: [Bool]? = nil) -> Tensor {
    let out = megaLayer(x, paddingMask: paddingMask).output
    return nffn.map { $0(out) } ?? out
  }
}
