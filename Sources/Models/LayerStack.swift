import Layers
import Tensor

/// The layer stack of `config`: Mega or SeqBoat, encoder (LRA/SC) or decoder (LM) layers.
func makeLayers(_ config: ModelConfig, rng: inout SplitMix64) -> [SequenceLayer] {
  (0..<config.layers).map { _ -> SequenceLayer in
    switch config.family {
    case .mega:
      let attention = GatedAttentionConfig(
        embedDim: config.embedDim, zdim: config.zDim, hdim: config.hiddenDim, ndim: config.nDim,
        chunkSize: config.chunkSize, truncation: config.truncation, bidirectional: !config.causal,
        activation: config.activation, attentionFunction: config.attentionActivation,
        normType: config.normType, prenorm: config.prenorm,
        relativePosition: config.relPosBias, maxPositions: config.maxPositions,
        dropout: config.dropout, attentionDropout: config.attentionDropout,
        hiddenDropout: config.hiddenDropout)
      return MegaLayer(
        attention: attention, ffnHiddenDim: config.ffnDim, causal: config.causal,
        activationDropout: config.causal ? config.activationDropout : nil, rng: &rng)
    case .seqboat:
      return SeqBoatLayer(
        config.seqBoatUnitOptions, ffnHiddenDim: config.ffnDim,
        activationDropout: config.activationDropout, actBias: config.actBias, rng: &rng)
    }
  }
}

extension ModelConfig {
  /// The options of this config's SeqBoat units (`ModelConfigChecks` has passed).
  public var seqBoatUnitOptions: SeqBoatUnitOptions {
    // The reference ignores `local_pos` in the global mode (`local_pos = local and local_pos`).
    let positions: SeqBoatPositions =
      relPosBias == .rotary
      ? .rotary
      : localPos && chunkSize > 0 ? .localTable : .fullTable(maxPositions: maxPositions)
    return SeqBoatUnitOptions(
      embedDim: embedDim, hiddenDim: hiddenDim, zDim: zDim, nDim: nDim, window: chunkSize,
      causal: causal, attention: attentionActivation,
      positions: positions, normType: normType, prenorm: prenorm, activation: activation,
      truncation: truncation, dropout: dropout, attentionDropout: attentionDropout,
      hiddenDropout: hiddenDropout, initTempScale: initTempScale)
  }
}

extension MegaLayer: SequenceLayer {
  public func forward(_ x: Tensor, paddingMask: [Bool]?, _ ctx: ForwardContext) throws -> Tensor {
    try self(x, paddingMask: paddingMask, ctx)
  }

  /// Mega layers carry their EMA state; the simple relative-position table must cover a chunk.
  public func segmentReader(chunkSize: Int) throws -> SegmentReader? {
    let bias = megaLayer.relPosBias
    if bias.kind == .simple, chunkSize > bias.maxPositions {
      throw ModelConfigError.badArgument(
        "decoder_chunk_size",
        "\(chunkSize) exceeds the simple relative-position table (M = \(bias.maxPositions))")
    }
    let state = EMAState()
    return SegmentReader(
      forward: { x, mask, ctx in
        try self(x, paddingMask: mask, chunkSize: chunkSize, emaState: state, ctx)
      }, state: state)
  }
}

extension SeqBoatLayer: SequenceLayer {
  public func forward(_ x: Tensor, paddingMask: [Bool]?, _ ctx: ForwardContext) throws -> Tensor {
    try self(x, paddingMask: paddingMask, ctx)
  }

  /// SeqBoat layers carry no state across segments.
  public func segmentReader(chunkSize: Int) throws -> SegmentReader? { nil }
}
