import HDF5
import Layers
import Tensor

/// Golden kinds `seqboat_encoder_layer` (`SeqBoatSentenceEncoderLayer`) and
/// `seqboat_decoder_layer` (`SeqBoatDecoderLayer`, args namespace), with the router outputs.
enum SeqBoatGoldenCase {
  static func encoderLayer(_ file: GoldenFile) throws -> [GoldenComparison] {
    let c = file.config
    let layer = try LayerCase(file)
    try c.requireOff("always_act")
    let options = try unitOptions(
      c, layer: layer, causal: false, embed: "embedding_dim", hidden: "hidden_dim", z: "z_dim",
      n: "n_dim", window: "chunk_size", attention: "attention_activation", norm: "norm_type",
      prenorm: "prenorm", activation: "activation", truncation: "truncation",
      maxPositions: "max_positions")
    return try run(
      layer, options: options, ffn: try c.optionalInt("ffn_hidden_dim") ?? -1,
      activationDropout: 0, actBias: try actBias(file))
  }

  static func decoderLayer(_ file: GoldenFile) throws -> [GoldenComparison] {
    let c = file.config
    let layer = try LayerCase(file)
    guard layer.causal else {
      throw GoldenError.invalid("seqboat_decoder_layer case without /inputs/attn_mask")
    }
    let options = try unitOptions(
      c, layer: layer, causal: true, embed: "decoder_embed_dim", hidden: "decoder_hidden_dim",
      z: "decoder_z_dim", n: "decoder_n_dim", window: "decoder_chunk_size",
      attention: "attention_activation_fn", norm: "normalization_type",
      prenorm: "normalize_before", activation: "activation_fn", truncation: "truncation_length",
      maxPositions: "max_target_positions")
    return try run(
      layer, options: options, ffn: try c.int("decoder_ffn_embed_dim"),
      activationDropout: try c.dropout("activation_dropout", training: layer.training), actBias: 0)
  }

  /// `forward_args.act_bias` (absent = 0).
  private static func actBias(_ file: GoldenFile) throws -> Float {
    let text: String
    do {
      let root = try HDF5File.open(file.path).root()
      guard root.hasAttribute("forward_args") else { return 0 }
      text = try root.stringAttribute("forward_args")
    } catch {
      throw GoldenError.invalid("root attribute 'forward_args' cannot be read: \(error)")
    }
    let args = try GoldenConfig(json: text)
    return args.has("act_bias") ? Float(try args.double("act_bias")) : 0
  }

  /// Unit options from the config keys of either layer class.
  private static func unitOptions(
    _ c: GoldenConfig, layer: LayerCase, causal: Bool, embed: String, hidden: String, z: String,
    n: String, window: String, attention: String, norm: String, prenorm: String,
    activation: String, truncation: String, maxPositions: String
  ) throws -> SeqBoatUnitOptions {
    let w = try c.int(window)
    guard w != 0 else {
      throw GoldenError.unsupported("config \(window) = 0 (SeqBoat takes > 0 or < 0)")
    }
    let function = try c.choice(attention) { AttentionFunction(rawValue: $0) }
    let positions: SeqBoatPositions
    switch try c.relativePosition("rel_pos_bias") {
    case .rotary: positions = .rotary
    case .simple:
      // The reference ignores `local_pos` in the global mode (`local_pos = local and local_pos`).
      positions =
        try c.bool("local_pos") && w > 0
        ? .localTable : .fullTable(maxPositions: c.int(maxPositions))
    }
    return SeqBoatUnitOptions(
      embedDim: try c.int(embed), hiddenDim: try c.int(hidden), zDim: try c.int(z),
      nDim: try c.int(n), window: w, causal: causal, attention: function, positions: positions,
      normType: try c.normType(norm), prenorm: try c.bool(prenorm),
      activation: try c.activation(activation), truncation: try c.optionalInt(truncation),
      dropout: try c.dropout("dropout", training: layer.training),
      attentionDropout: try c.dropout("attention_dropout", training: layer.training),
      hiddenDropout: try c.dropout("hidden_dropout", training: layer.training),
      initTempScale: Float(try c.double("init_temp_scale")))
  }

  private static func run(
    _ layer: LayerCase, options: SeqBoatUnitOptions, ffn: Int, activationDropout: Float,
    actBias: Float
  ) throws -> [GoldenComparison] {
    var rng = SplitMix64(seed: 0)
    let module = SeqBoatLayer(
      options, ffnHiddenDim: ffn, activationDropout: activationDropout, actBias: actBias,
      rng: &rng)
    try layer.load(module)
    let x = try layer.input("x")
    let ctx = layer.context()
    let out = try module(x, paddingMask: try layer.paddingMask(for: x), ctx)
    var outputs = ["out": out]
    if let record = ctx.routers.first {
      outputs.merge(routerOutputs(record, layer: 0)) { a, _ in a }
    }
    return try layer.compare(module: module, differentiable: ["x": x], outputs: outputs)
  }

  /// The golden `router/layer{i}/*` outputs of one unit's record, batch-major.
  static func routerOutputs(_ record: RouterRecord, layer i: Int) -> [String: Tensor] {
    let d = record.decision
    let (len, bsz) = (d.length, d.batch)
    var logits = [Float](repeating: 0, count: 2 * len * bsz)
    var probs = logits
    var active = [Float](repeating: 0, count: len * bsz)
    for t in 0..<len {
      for b in 0..<bsz {
        let (src, dst) = (t * bsz + b, b * len + t)
        for k in 0..<2 {
          logits[2 * dst + k] = record.logits[2 * src + k]
          probs[2 * dst + k] = d.probs[2 * src + k]
        }
        active[dst] = d.active[src] ? 1 : 0
      }
    }
    let prefix = "router/layer\(i)/"
    return [
      prefix + "logits": Tensor(shape: [bsz, len, 2], data: logits),
      prefix + "probs": Tensor(shape: [bsz, len, 2], data: probs),
      prefix + "active": Tensor(shape: [bsz, len], data: active),
      prefix + "compressed_length": Tensor(shape: [], data: [Float(record.compressedLength)]),
      prefix + "compressed": Tensor(shape: [], data: [record.compressed ? 1 : 0]),
    ]
  }
}
