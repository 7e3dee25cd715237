import Tensor

#if canImport(Glibc)
  import Glibc
#endif

/// How a SeqBoat unit encodes positions in its local attention (MODEL.md §4.6).
public enum SeqBoatPositions: Sendable, Equatable {
  /// `--local-pos`: a `6W − 1` table indexed by slot distance.
  case localTable
  /// The full `2M − 1` table indexed by original positions, clamped.
  case fullTable(maxPositions: Int)
  /// RoPE on q and k at original positions; no parameters.
  case rotary
}

/// Construction options of a `SeqBoatUnit` (reference `SeqBoatUnit` keyword arguments).
public struct SeqBoatUnitOptions: Sendable {
  /// E.
  public var embedDim: Int
  /// H.
  public var hiddenDim: Int
  /// Z.
  public var zDim: Int
  /// N.
  public var nDim: Int
  /// `chunk_size`: the local-attention window W when positive; negative for the global mode
  /// (attention over every slot). 0 is not a SeqBoat configuration (the reference divides by it).
  public var window: Int
  /// Decoder (causal EMA and window) or encoder.
  public var causal: Bool
  /// `attention_activation`: softmax, relu2 or laplace.
  public var attention: AttentionFunction
  /// Position encoding.
  public var positions: SeqBoatPositions
  /// Norm type of the unit's `norm`.
  public var normType: NormType
  /// Normalise the input (pre-norm) or the output (post-norm).
  public var prenorm: Bool
  /// The configurable activation `act`.
  public var activation: Activation
  /// EMA kernel truncation.
  public var truncation: Int?
  /// `dropout`.
  public var dropout: Float
  /// `attention_dropout`.
  public var attentionDropout: Float
  /// `hidden_dropout` (values).
  public var hiddenDropout: Float
  /// `init_temp_scale`.
  public var initTempScale: Float

  /// Options with every field given; dropouts default to 0.
  public init(
    embedDim: Int, hiddenDim: Int, zDim: Int, nDim: Int, window: Int, causal: Bool,
    attention: AttentionFunction, positions: SeqBoatPositions, normType: NormType,
    prenorm: Bool, activation: Activation, truncation: Int?, dropout: Float = 0,
    attentionDropout: Float = 0, hiddenDropout: Float = 0, initTempScale: Float = 0.3
  ) {
    self.embedDim = embedDim
    self.hiddenDim = hiddenDim
    self.zDim = zDim
    self.nDim = nDim
    self.window = window
    self.causal = causal
    self.attention = attention
    self.positions = positions
    self.normType = normType
    self.prenorm = prenorm
    self.activation = activation
    self.truncation = truncation
    self.dropout = dropout
    self.attentionDropout = attentionDropout
    self.hiddenDropout = hiddenDropout
    self.initTempScale = initTempScale
  }

  /// The window of the local attention, nil in the global mode.
  public var localWindow: Int? { window > 0 ? window : nil }

  /// The reference's `density_threshold`: 1 with a window, 0.9 in the global mode.
  public var densityThreshold: Double { localWindow == nil ? 0.9 : 1 }
}

/// What the router of one unit decided in its last forward call (the golden `router/layer{i}/*`).
public struct RouterRecord {
  /// The router's decision (probabilities and active tokens, time-major).
  public let decision: RouterDecision
  /// Router logits, time-major `[L, B, 2]`, before `act_bias`.
  public let logits: [Float]
  /// The batch's largest active count (`compressed_length`).
  public var compressedLength: Int { decision.maxActiveCount }
  /// Whether the batch was compressed.
  public let compressed: Bool
}

/// SeqBoat's unit (`SeqBoatUnit`, MODEL.md §4.3): EMA, router, compressed local (or global) attention and the
/// activated residual `act(res + hx + p·h)`. State names relative to the unit: `norm.norm.*`,
/// `move.*`, `gamma`, `beta`, `q_router.temp`, `mx_proj.*`, `hx_proj.*`, `h_proj.*`,
/// `rel_pos_bias.rel_pos_bias`.
public final class SeqBoatUnit: Module {
  /// The options the unit was built with.
  public let options: SeqBoatUnitOptions
  /// The unit's norm.
  public let norm: SequenceNorm
  /// The EMA (SeqBoat variant: no silu inside).
  public let move: MultiHeadEMA
  /// q/k scales `[2, Z]`.
  public let gamma: Tensor
  /// q/k offsets `[2, Z]`.
  public let beta: Tensor
  /// Router log-temperature `[1]`.
  public let temp: Tensor
  /// `E → Z + 2H` on the compressed slots.
  public let mxProj: Linear
  /// `E → 2 + E` on every token (router logits, then hx).
  public let hxProj: Linear
  /// `H → E`.
  public let hProj: Linear
  /// The relative-position table, nil with RoPE.
  public let relPosBias: Tensor?
  private let dropout: Dropout
  private let hiddenDropout: Dropout
  private let attentionDropout: Dropout

  /// A unit with the reference's initialisation drawn from `rng`.
  public init(_ o: SeqBoatUnitOptions, rng: inout SplitMix64) {
    precondition(o.window != 0, "SeqBoat chunk_size 0 (callers validate it)")
    precondition(
      o.positions != .localTable || o.localWindow != nil, "SeqBoat local_pos needs a window")
    options = o
    let trunc = Initializer.truncatedNormal(std: 0.02, bound: 0.04)
    norm = SequenceNorm(o.normType, dim: o.embedDim)
    move = MultiHeadEMA(
      embedDim: o.embedDim, ndim: o.nDim, bidirectional: !o.causal, truncation: o.truncation,
      outputSilu: false, truncatedInit: true, rng: &rng)
    gamma = trunc.make([2, o.zDim], rng: &rng)
    beta = Initializer.constant(0).make([2, o.zDim], rng: &rng)
    let t0 = (o.initTempScale * Float(o.embedDim).squareRoot())
    temp = Initializer.constant(logf(t0)).make([1], rng: &rng)
    mxProj = Linear(o.embedDim, o.zDim + 2 * o.hiddenDim, weightInit: trunc, rng: &rng)
    hxProj = Linear(o.embedDim, o.embedDim + 2, weightInit: trunc, rng: &rng)
    hProj = Linear(o.hiddenDim, o.embedDim, weightInit: trunc, rng: &rng)
    switch o.positions {
    case .localTable: relPosBias = trunc.make([6 * o.window - 1], rng: &rng)
    case .fullTable(let m): relPosBias = trunc.make([2 * m - 1], rng: &rng)
    case .rotary: relPosBias = nil
    }
    dropout = Dropout(o.dropout, site: rng.next())
    hiddenDropout = Dropout(o.hiddenDropout, site: rng.next())
    attentionDropout = Dropout(o.attentionDropout, site: rng.next())
  }

  public var members: [ModuleMember] {
    [
      .child("norm", norm), .child("move", move), .parameter("gamma", gamma),
      .parameter("beta", beta), .parameter("q_router.temp", temp), .child("mx_proj", mxProj),
      .child("hx_proj", hxProj), .child("h_proj", hProj),
    ] + .parameter("rel_pos_bias.rel_pos_bias", relPosBias)
  }

  /// The unit on `x` (`[L, B, E]`) with `paddingMask` (`[B, L]`, true = padding): `[L, B, E]`.
  /// The router's record goes to `ctx.routers`; in a training pass the compression decision is
  /// taken over the ranks of `ctx` (compress iff no rank has a dense sequence).
  public func callAsFunction(
    _ x: Tensor, paddingMask: [Bool]? = nil, actBias: Float = 0, _ ctx: ForwardContext
  ) throws -> Tensor {
    let o = options
    let (len, bsz, e) = (x.shape[0], x.shape[1], o.embedDim)
    let act = o.activation
    let xn = o.prenorm ? try norm(x, ctx) : x
    let mx = dropout(
      move(xn, paddingMask: paddingMask, parallelism: ctx.parallelism), .timeMajor, after: act,
      ctx)
    let hxAll = hxProj(mx)
    let logits = hxAll.slice(lastDim: 0..<2)
    let hx = hxAll.slice(lastDim: 2..<(e + 2))
    let (p, decision) = Tensor.seqBoatRouter(
      logits: logits, temp: temp, paddingMask: paddingMask, actBias: actBias,
      parallelism: ctx.parallelism)
    let local = localCompressionDecision(
      maxActive: decision.maxActiveCount, length: len, threshold: o.densityThreshold)
    var dense = [local ? 0 : 1] as [Double]
    try ctx.allReduceSum(&dense, operation: "SeqBoat compression decision")
    let compress = dense[0] == 0
    ctx.record(RouterRecord(decision: decision, logits: logits.data, compressed: compress))
    var sum = hx
    if decision.maxActiveCount > 0 {
      let plan = SlotPlan(decision: decision, compress: compress)
      var h = attend(mx.compressed(by: plan), plan: plan, ctx)
      if !o.causal { h = dropout(h, .exampleMajor(virtualSize: len * e), ctx) }
      sum = hx + h.extracted(by: plan, scale: p)
    }
    if o.causal { sum = dropout(sum, .timeMajor, ctx) }
    var out = (x + sum).activated(act)
    if !o.prenorm { out = try norm(out, ctx) }
    precondition(out.shape == [len, bsz, e])
    return out
  }

  /// Projections and local attention on the slots `s` (`[B, n, E]`): `h_proj(O ⊙ r)`, `[B, n, E]`.
  private func attend(_ s: Tensor, plan: SlotPlan, _ ctx: ForwardContext) -> Tensor {
    let o = options
    let packed = mxProj(s)
    let (zd, hd) = (o.zDim, o.hiddenDim)
    let z = packed.activated(o.activation, lastDim: 0..<zd)
    let r = packed.activated(o.activation, lastDim: zd..<(zd + hd))
    let v = hiddenDropout(
      packed, .exampleMajor(virtualSize: plan.length * hd), after: o.activation,
      lastDim: (zd + hd)..<(zd + 2 * hd), ctx)
    func row(_ t: Tensor, _ i: Int) -> Tensor { t.slice(firstDim: i..<(i + 1)).reshaped([o.zDim]) }
    var q = z.multiplyingRow(row(gamma, 0)).addingRow(row(beta, 0))
    var k = z.multiplyingRow(row(gamma, 1)).addingRow(row(beta, 1))
    let bias: LocalAttentionBias
    switch o.positions {
    case .localTable: bias = .slotDistance(relPosBias!)
    case .fullTable: bias = .originalPositions(relPosBias!)
    case .rotary:
      bias = .none
      q = q.rotatedAtSlots(plan)
      k = k.rotatedAtSlots(plan)
    }
    let spec = LocalAttentionSpec(window: o.localWindow, causal: o.causal, function: o.attention)
    let attn = Tensor.seqBoatLocalAttention(
      q: q, k: k, v: v, plan: plan, spec: spec, bias: bias,
      dropout: attentionDropout.draw(
        ctx, .exampleMajor(virtualSize: nil), count: plan.batch * plan.length * plan.length,
        width: plan.length * plan.length),
      parallelism: ctx.parallelism)
    return hProj(attn * r)
  }
}
