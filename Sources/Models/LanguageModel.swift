import Layers
import Tensor

/// The decoder-only language model (`MegaLanguageModel`, `SeqBoatLanguageModel`; MODEL.md §5.6,
/// §5.7): √E-scaled embedding (or adaptive input), optional input projection and embedding norm,
/// causal layers, the final norm of pre-norm models, tied or untied output projection (or
/// adaptive softmax). State names `decoder.*`; the tied output weight
/// `decoder.output_projection.weight` is listed in `tiedNames`, not among the parameters.
public final class LanguageModel: Module {
  /// The configuration.
  public let config: ModelConfig
  /// `decoder.embed_tokens` (plain table), nil with adaptive input.
  public let embedding: Embedding?
  /// `decoder.embed_tokens` (adaptive input) and `decoder.adaptive_softmax`, tied.
  public let adaptive: AdaptiveEmbedding?
  /// `decoder.project_in_dim` (`decoder_input_dim` → E, no bias), when the widths differ.
  public let projectIn: Linear?
  /// `decoder.embed_norm` (`normalize_embedding`).
  public let embedNorm: SequenceNorm?
  /// `decoder.layers.{i}`.
  public let layers: [SequenceLayer]
  /// `decoder.final_norm` (pre-norm models), of the configured type, affine unless
  /// `no_affine_final_norm`.
  public let finalNorm: SequenceNorm?
  /// Untied output projection `[V, E]` (only when `shareEmbedding` is off and not adaptive).
  public let outputProjection: Tensor?
  private let dropout: Dropout

  /// A language model for `config` with the reference initialisation drawn from `rng`.
  public init(_ config: ModelConfig, rng: inout SplitMix64) {
    self.config = config
    let e = config.embedDim
    if let cutoffs = config.adaptiveCutoffs {
      adaptive = AdaptiveEmbedding(
        vocabulary: config.vocabSize, dim: e, cutoffs: cutoffs, factor: config.adaptiveFactor,
        dropout: config.adaptiveSoftmaxDropout, rng: &rng)
      embedding = nil
      outputProjection = nil
    } else {
      adaptive = nil
      let d = config.embeddingDim
      embedding = Embedding(
        count: config.vocabSize, dim: d, paddingIndex: config.paddingIndex,
        initializer: .normal(std: 1 / Float(d).squareRoot()), zeroPaddingRow: true, rng: &rng)
      outputProjection =
        config.shareEmbedding
        ? nil
        : Initializer.normal(std: 1 / Float(e).squareRoot()).make([config.vocabSize, e], rng: &rng)
    }
    projectIn =
      config.embeddingDim == e
      ? nil
      : Linear(config.embeddingDim, e, bias: false, weightInit: .xavierUniform, rng: &rng)
    embedNorm =
      config.normalizeEmbedding
      ? SequenceNorm(config.normType, dim: e) : nil
    layers = makeLayers(config, rng: &rng)
    finalNorm =
      config.hasFinalNorm
      ? SequenceNorm(config.normType, dim: e, affine: !config.noAffineFinalNorm) : nil
    dropout = Dropout(config.dropout, site: rng.next())
  }

  public var members: [ModuleMember] {
    let groups: [[ModuleMember]] = [
      .child("decoder.embed_tokens", embedding), .child("decoder", adaptive),
      .child("decoder.project_in_dim", projectIn), .child("decoder.embed_norm", embedNorm),
      .children("decoder.layers", layers), .child("decoder.final_norm", finalNorm),
      .parameter("decoder.output_projection.weight", outputProjection),
    ]
    return groups.flatMap { $0 }
  }

  /// Reference names that alias one of `parameters` (tied weights): name → the parameter's name.
  public var tiedNames: [String: String] {
    if let adaptive { return adaptive.tiedNames(prefix: "decoder") }
    if config.shareEmbedding {
      return ["decoder.output_projection.weight": "decoder.embed_tokens.weight"]
    }
    return [:]
  }

  /// Final features `[B, L, E]` of token inputs `tokens` (`[B, L]` row-major). With a `stream`
  /// (Mega, evaluation only) the tokens are the next segment of the blocks the stream has read:
  /// its chunk replaces the configured one and its EMA states are carried; `max_positions` does
  /// not apply.
  public func features(
    tokens: [Int], batch: Int, stream: SegmentStream? = nil, _ ctx: ForwardContext
  ) throws -> Tensor {
    guard batch > 0, tokens.count % batch == 0 else {
      throw ModelInputError.shape(field: "src_tokens", "\(tokens.count) ids for \(batch) sequences")
    }
    let len0 = tokens.count / batch
    try stream?.begin(length: len0)
    if stream == nil, len0 > config.maxPositions {
      throw ModelInputError.tooLong(
        field: "src_tokens", length: len0, maxPositions: config.maxPositions)
    }
    if let bad = tokens.first(where: { $0 < 0 || $0 >= config.vocabSize }) {
      throw ModelInputError.tokenOutOfRange(
        field: "src_tokens", value: bad, vocabulary: config.vocabSize)
    }
    let c = stream?.chunkSize ?? config.chunkSize
    let pads = config.family == .mega && c > 0 && c < len0 && len0 % c != 0
    let len = pads ? (len0 + c - 1) / c * c : len0
    var ids = [Int](repeating: config.paddingIndex, count: batch * len)
    for b in 0..<batch { for t in 0..<len0 { ids[b * len + t] = tokens[b * len0 + t] } }
    let padMask = ids.map { $0 == config.paddingIndex }
    let padding = padMask.contains(true) ? padMask : nil
    let e = config.embedDim
    let embedded =
      adaptive?.embed(ids, shape: [batch, len]) ?? embedding!(ids, shape: [batch, len])
    var x = config.scaleEmbedding ? embedded.scaled(Float(e).squareRoot()) : embedded
    if let projectIn { x = projectIn(x) }
    if let embedNorm { x = try embedNorm(x, ctx) }
    x = dropout(x, .exampleMajor(virtualSize: nil), ctx)
    let keep = keepMask(padMask.map { !$0 }, width: e)
    if padding != nil { x = x.masked(by: keep) }
    var h = x.permuted([1, 0, 2])
    for (i, layer) in layers.enumerated() {
      h =
        try stream?.forward(layer: i, h, paddingMask: padding, ctx)
        ?? layer.forward(h, paddingMask: padding, ctx)
    }
    if let finalNorm { h = try finalNorm(h, ctx) }
    var y = h.permuted([1, 0, 2])
    if padding != nil { y = y.masked(by: keep) }
    if pads { y = y.reshaped([batch, len * e]).slice(lastDim: 0..<(len0 * e)) }
    return y.reshaped([batch, len0, e])
  }

  /// Output logits `[B, L, V]` of the features (tied or untied projection; not adaptive).
  public func logits(features: Tensor) -> Tensor {
    features.linear(outputProjection ?? embedding!.weight)
  }

  /// Summed NLL (nats) over the targets that are not padding, and their count; `stream` as in
  /// `features`.
  public func loss(
    tokens: [Int], targets: [Int], batch: Int, stream: SegmentStream? = nil, _ ctx: ForwardContext
  ) throws -> (loss: Tensor, tokens: Int) {
    guard targets.count == tokens.count else {
      throw ModelInputError.shape(field: "target", "\(targets.count) targets for \(tokens.count)")
    }
    if let bad = targets.first(where: { $0 < 0 || $0 >= config.vocabSize }) {
      throw ModelInputError.tokenOutOfRange(
        field: "target", value: bad, vocabulary: config.vocabSize)
    }
    let f = try features(tokens: tokens, batch: batch, stream: stream, ctx)
    let count = targets.filter { $0 != config.paddingIndex }.count
    if let adaptive { return (adaptive.loss(features: f, targets: targets, ctx), count) }
    let l = logits(features: f)
    return (l.crossEntropySum(targets: targets, ignoreIndex: config.paddingIndex), count)
  }

}
