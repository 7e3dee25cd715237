import Layers
import Tensor

/// The LRA/SC encoder (`encoder.encoder`, MODEL.md §5.1–5.4): embedding, optional absolute
/// positions, the embedding norm of `normalize_embedding`, the layer stack, the final norm of
/// pre-norm configs, and the sentence representation (mean over the non-padding positions, or the
/// first position).
public final class SequenceEncoder: Module {
  /// The configuration.
  public let config: ModelConfig
  /// Token embedding (`embed_tokens.embed`), nil for real-valued input.
  public let tokenEmbedding: Embedding?
  /// Real-number embedding (`embed_tokens`), nil for token input.
  public let realEmbedding: RealNumberEmbedding?
  /// SeqBoat absolute positions (`pos_emb`).
  public let positions: AbsolutePositions?
  /// `embed_norm` (`normalize_embedding`; not built by the raw-audio encoder).
  public let embedNorm: SequenceNorm?
  /// `layers.{i}`.
  public let layers: [SequenceLayer]
  /// `final_norm` (pre-norm configs).
  public let finalNorm: SequenceNorm?
  private let dropout: Dropout

  /// An encoder for `config` with the reference initialisation drawn from `rng`.
  public init(_ config: ModelConfig, rng: inout SplitMix64) {
    self.config = config
    let e = config.embedDim
    if config.input == .tokens {
      tokenEmbedding = Embedding(
        count: config.vocabSize, dim: e, paddingIndex: config.paddingIndex,
        initializer: .normal(std: 1 / Float(e).squareRoot()), zeroPaddingRow: false, rng: &rng)
      realEmbedding = nil
    } else {
      tokenEmbedding = nil
      realEmbedding = RealNumberEmbedding(dim: e, rng: &rng)
    }
    positions = config.addAbsolutePositions ? AbsolutePositions(dim: e) : nil
    embedNorm =
      config.normalizeEmbedding && config.task == .lra
      ? SequenceNorm(config.normType, dim: e) : nil
    layers = makeLayers(config, rng: &rng)
    finalNorm = config.hasFinalNorm ? SequenceNorm(config.normType, dim: e) : nil
    dropout = Dropout(config.dropout, site: rng.next())
  }

  public var members: [ModuleMember] {
    let groups: [[ModuleMember]] = [
      .child("embed_tokens.embed", tokenEmbedding), .child("embed_tokens", realEmbedding),
      .child("pos_emb", positions), .child("embed_norm", embedNorm), .children("layers", layers),
      .child("final_norm", finalNorm),
    ]
    return groups.flatMap { $0 }
  }

  /// Pooled representation `[B, E]` of token sequences (`tokens` `[B, L]` row-major, right-padded
  /// with the padding id) in `ctx`. `field` names the input in error messages.
  public func encode(
    tokens: [Int], batch: Int, field: String = "src_tokens", _ ctx: ForwardContext
  ) throws -> Tensor {
    guard let table = tokenEmbedding else {
      throw ModelInputError.shape(field: field, "this model reads real values, not tokens")
    }
    guard batch > 0, tokens.count % batch == 0 else {
      throw ModelInputError.shape(field: field, "\(tokens.count) ids for \(batch) sequences")
    }
    let len0 = tokens.count / batch
    try checkLength(len0, field: field)
    let v = config.vocabSize
    if let bad = tokens.first(where: { $0 < 0 || $0 >= v }) {
      throw ModelInputError.tokenOutOfRange(field: field, value: bad, vocabulary: v)
    }
    let len = paddedLength(len0)
    var ids = [Int](repeating: config.paddingIndex, count: batch * len)
    for b in 0..<batch { for t in 0..<len0 { ids[b * len + t] = tokens[b * len0 + t] } }
    let pad = ids.map { $0 == config.paddingIndex }
    return try run(table(ids, shape: [batch, len]), padding: pad.contains(true) ? pad : nil, ctx)
  }

  /// Pooled representation `[B, E]` of real-valued sequences (`values` `[B, L]`: pixels, audio).
  public func encode(values: Tensor, field: String = "src_tokens", _ ctx: ForwardContext) throws
    -> Tensor
  {
    guard let embed = realEmbedding else {
      throw ModelInputError.shape(field: field, "this model reads tokens, not real values")
    }
    guard values.rank == 2 else {
      throw ModelInputError.shape(field: field, "expected [B, L], got \(values.shape)")
    }
    try checkLength(values.shape[1], field: field)
    if let i = values.data.firstIndex(where: { !$0.isFinite }) {
      throw ModelInputError.notFinite(field: field, index: i)
    }
    return try run(embed(values), padding: nil, ctx)
  }

  /// Mega pads token input to a multiple of the chunk when it is longer than one chunk.
  private func paddedLength(_ len: Int) -> Int {
    let c = config.chunkSize
    guard config.family == .mega, c > 0, len > c, len % c != 0 else { return len }
    return (len + c - 1) / c * c
  }

  private func checkLength(_ len: Int, field: String) throws {
    if len > config.maxPositions {
      throw ModelInputError.tooLong(field: field, length: len, maxPositions: config.maxPositions)
    }
  }

  /// Embedded input `[B, L, E]` through positions, embedding norm, dropout, masking, layers,
  /// final norm and the sentence representation.
  private func run(_ embedded: Tensor, padding: [Bool]?, _ ctx: ForwardContext) throws -> Tensor {
    let (bsz, len, e) = (embedded.shape[0], embedded.shape[1], embedded.shape[2])
    var x = positions.map { $0(embedded) } ?? embedded
    if let embedNorm { x = try embedNorm(x, ctx) }
    x = dropout(x, .exampleMajor(virtualSize: nil), ctx)
    let keep = padding.map { $0.map { !$0 } } ?? [Bool](repeating: true, count: bsz * len)
    let keepScale = keepMask(keep, width: config.embedDim)
    if padding != nil { x = x.masked(by: keepScale) }
    var h = x.permuted([1, 0, 2])
    for layer in layers { h = try layer.forward(h, paddingMask: padding, ctx) }
    if let finalNorm { h = try finalNorm(h, ctx) }
    var y = h.permuted([1, 0, 2])
    if padding != nil { y = y.masked(by: keepScale) }
    if config.sentenceRepresentation == .cls {
      return y.reshaped([bsz, len * e]).slice(lastDim: 0..<e)
    }
    let lengths = (0..<bsz).map { b in (0..<len).filter { keep[b * len + $0] }.count }
    return y.meanPooled(keep: keep, lengths: lengths)
  }
}

/// A `[B·L·width]` 0/1 mask repeating each entry of `keep` (`[B·L]`) `width` times.
func keepMask(_ keep: [Bool], width: Int) -> [Float] {
  var m = [Float](repeating: 0, count: keep.count * width)
  for (i, k) in keep.enumerated() where k { for c in 0..<width { m[i * width + c] = 1 } }
  return m
}
