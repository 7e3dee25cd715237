import Tensor

/// Configuration of Mega's `MovingAverageGatedAttention` (MODEL.md §3.1–3.5), reference names.
public struct GatedAttentionConfig: Sendable {
  /// E.
  public var embedDim: Int
  /// Z, the shared query/key width.
  public var zdim: Int
  /// H, the value width.
  public var hdim: Int
  /// N, the EMA expansion.
  public var ndim: Int
  /// C; −1 = no chunking.
  public var chunkSize: Int
  /// EMA kernel truncation (nil = L).
  public var truncation: Int?
  /// Bidirectional EMA (encoders) or causal (decoders).
  public var bidirectional: Bool
  /// `act` of v and Ĥ.
  public var activation: Activation
  /// softmax, relu2 or laplace.
  public var attentionFunction: AttentionFunction
  /// Normalisation type and whether it has affine parameters.
  public var normType: NormType
  /// Affine norm parameters.
  public var normAffine: Bool
  /// Norm before (true) or after (false) the sub-layer.
  public var prenorm: Bool
  /// Relative position bias type.
  public var relativePosition: RelativePositionKind
  /// Table radius when unchunked (`max_positions`).
  public var maxPositions: Int
  /// `dropout`, `attention_dropout`, `hidden_dropout`.
  public var dropout: Float
  /// Dropout on the attention weights.
  public var attentionDropout: Float
  /// Dropout on the values.
  public var hiddenDropout: Float

  /// A configuration; every argument as the reference constructor's.
  public init(
    embedDim: Int, zdim: Int, hdim: Int, ndim: Int, chunkSize: Int, truncation: Int?,
    bidirectional: Bool, activation: Activation, attentionFunction: AttentionFunction,
    normType: NormType, normAffine: Bool = true, prenorm: Bool,
    relativePosition: RelativePositionKind, maxPositions: Int, dropout: Float = 0,
    attentionDropout: Float = 0, hiddenDropout: Float = 0
  ) {
    self.embedDim = embedDim
    self.zdim = zdim
    self.hdim = hdim
    self.ndim = ndim
    self.chunkSize = chunkSize
    self.truncation = truncation
    self.bidirectional = bidirectional
    self.activation = activation
    self.attentionFunction = attentionFunction
    self.normType = normType
    self.normAffine = normAffine
    self.prenorm = prenorm
    self.relativePosition = relativePosition
    self.maxPositions = maxPositions
    self.dropout = dropout
    self.attentionDropout = attentionDropout
    self.hiddenDropout = hiddenDropout
  }
}

/// Mega's gated attention sub-layer (`MovingAverageGatedAttention`, MODEL.md §3.2): EMA, gates,
/// chunked single-head attention with relative position bias, gated residual, pre- or post-norm.
public final class GatedAttention: Module {
  /// The configuration it was built with.
  public let config: GatedAttentionConfig
  /// `norm`.
  public let norm: SequenceNorm
  /// `move`.
  public let move: MultiHeadEMA
  /// `v_proj` (E → H).
  public let vProj: Linear
  /// `mx_proj` (E → 2E + Z + H).
  public let mxProj: Linear
  /// `h_proj` (H → E).
  public let hProj: Linear
  /// `gamma [2, Z]`: q/k scales.
  public let gamma: Tensor
  /// `beta [2, Z]`: q/k offsets.
  public let beta: Tensor
  /// `rel_pos_bias`.
  public let relPosBias: RelativePositionBias
  private let dropout: Dropout
  private let attentionDropout: Dropout
  private let hiddenDropout: Dropout

  /// A layer drawn from `rng` with the reference initialisation.
  public init(_ config: GatedAttentionConfig, rng: inout SplitMix64) {
    self.config = config
    let (e, z, h) = (config.embedDim, config.zdim, config.hdim)
    norm = SequenceNorm(config.normType, dim: e, affine: config.normAffine)
    move = MultiHeadEMA(
      embedDim: e, ndim: config.ndim, bidirectional: config.bidirectional,
      truncation: config.truncation, outputSilu: true, rng: &rng)
    vProj = Linear(e, h, rng: &rng)
    mxProj = Linear(e, 2 * e + z + h, rng: &rng)
    hProj = Linear(h, e, rng: &rng)
    gamma = Initializer.normal(std: 0.02).make([2, z], rng: &rng)
    beta = Initializer.constant(0).make([2, z], rng: &rng)
    let radius = config.chunkSize > 0 ? config.chunkSize : config.maxPositions
    relPosBias = RelativePositionBias(
      config.relativePosition, maxPositions: radius, zdim: z, initializer: .normal(std: 0.02),
      rng: &rng)
    dropout = Dropout(config.dropout, site: rng.next())
    attentionDropout = Dropout(config.attentionDropout, site: rng.next())
    hiddenDropout = Dropout(config.hiddenDropout, site: rng.next())
  }

  public var members: [ModuleMember] {
    [
      .child("norm", norm), .child("move", move), .child("v_proj", vProj),
      .child("mx_proj", mxProj), .child("h_proj", hProj), .parameter("gamma", gamma),
      .parameter("beta", beta), .child("rel_pos_bias", relPosBias),
    ]
  }

  /// The layer on `x` (`[L, B, E]`) with an optional padding mask (`[B, L]`, true = padding) and
  /// causal masking. L must be a multiple of the chunk when L ≥ C (wrappers pad). Returns the
  /// output `[L, B, E]` and the attention weights `[B, L/C_eff, C_eff, C_eff]`. `chunkSize`
  /// overrides the configured chunk C; `emaState` carries the EMA across consecutive segments
  /// (evaluation only, MODEL.md §2.6). `ctx` gives the mode, the dropout masks and the ranks.
  public func callAsFunction(
    _ x: Tensor, paddingMask: [Bool]? = nil, causal: Bool = false, chunkSize: Int? = nil,
    emaState: EMAState? = nil, _ ctx: ForwardContext
  ) throws -> (output: Tensor, weights: Tensor) {
    let (len, e) = (x.shape[0], config.embedDim)
    let (z, h) = (config.zdim, config.hdim)
    let chunk = chunkSize ?? config.chunkSize
    let c = chunk < 0 || len < chunk ? len : chunk
    let normed = config.prenorm ? try norm(x, ctx) : x
    let v = hiddenDropout(vProj(normed), .timeMajor, after: config.activation, ctx)
    let mx = dropout(
      move(normed, paddingMask: paddingMask, state: emaState, parallelism: ctx.parallelism),
      .timeMajor, ctx)
    let packed = mxProj(mx)
    let u = packed.activated(.sigmoid, lastDim: 0..<e)
    let zz = packed.activated(.silu, lastDim: e..<(e + z))
    let r = packed.activated(.silu, lastDim: (e + z)..<(e + z + h))
    let hx = packed.slice(lastDim: (e + z + h)..<(2 * e + z + h))
    let q = zz.multiplyingRow(gamma.slice(firstDim: 0..<1)).addingRow(beta.slice(firstDim: 0..<1))
    let k = zz.multiplyingRow(gamma.slice(firstDim: 1..<2)).addingRow(beta.slice(firstDim: 1..<2))
    let (o, weights) = ChunkedAttention.apply(
      q: q, k: k, v: v, bias: relPosBias(c), chunk: c,
      function: config.attentionFunction, paddingMask: paddingMask, causal: causal,
      dropout: attentionDropout.draw(
        ctx, .exampleMajor(virtualSize: nil), count: x.shape[1] * len * c, width: c),
      parallelism: ctx.parallelism)
    let gated = dropout(hx + hProj(o * r), .timeMajor, after: config.activation, ctx)
    let out = Tensor.interpolated(from: x, to: gated, weight: u)
    return (config.prenorm ? out : try norm(out, ctx), weights)
  }
}
