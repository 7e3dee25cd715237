import Layers
import Models
import Tensor

/// The option tables of `ModelFlags`, by reference parser (`fairseq/models/lra/model.py`,
/// `speech_commands/model.py`, `mega_lm.py`, `seqboat_lm.py` of both repositories).
extension ModelFlags {
  typealias F = ModelFlag

  /// `--activation-fn`-style options: fairseq's names, `gelu_fast` stored as `gelu_accurate`.
  static func activation(_ name: String, _ key: String, _ parsers: Set<ModelParser>, _ help: String)
    -> ModelFlag
  {
    F(
      name, parsers, choices: activations, help,
      .sets { v in [key: v == "gelu_fast" ? "gelu_accurate" : v] })
  }

  /// Options of the LRA and raw-audio classifiers only.
  static let classifierTable: [ModelFlag] = [
    .value(
      "act-dropout", classifiers, to: ["hidden-dropout", "activation-dropout"], "act_dropout"),
    .value("encoder-hidden-dim", classifiers, to: ["encoder-hidden-dim"], "H"),
    .value("encoder-ffn-embed-dim", classifiers, to: ["encoder-ffn-embed-dim"], "F (<= 0: none)"),
    .value("z-dim", classifiers, to: ["z-dim"], "Z"),
    .value("n-dim", classifiers, to: ["n-dim"], "N"),
    .value("encoder-layers", classifiers, to: ["encoder-layers"], "layers"),
    .value("encoder-embed-dim", classifiers, to: ["encoder-embed-dim"], "E"),
    .value("max-positions", classifiers, to: ["max-positions"], "longest input"),
    .value("sentence-class-num", classifiers, to: ["sentence-class-num"], "classes"),
    .value("chunk-size", classifiers, to: ["chunk-size"], "Mega chunk / SeqBoat window, -1 none"),
    .enables("encoder-normalize-before", classifiers, "normalize-before", "pre-norm"),
    activation("classifier-activation-fn", "classifier-activation-fn", classifiers, "classifier"),
    F(
      "norm-type", classifiers, choices: NormType.allCases.map(\.rawValue), "normalisation",
      .sets { ["normalization-type": $0] }),
    F(
      "sen-rep-type", [.lra], choices: ["cls", "mp"], "sentence representation",
      .sets { ["sen-rep-type": $0] }),
    F(
      "sen-rep-type", [.sc], choices: ["cls", "mp"], "sentence representation (mp only)",
      mapped("sen-rep-type", ["mp": "mp"], refuse: ["cls": "SCRawModel asserts mp"])),
    F(
      "input-type", [.lra], choices: ["text", "image"], "token or pixel input",
      mapped("input-kind", ["text": "tokens", "image": "realNumbers"])),
    F(
      "layer-type", [.lra], choices: ["transformer", "luna", "lstm", "flash", "mega", "slag"],
      "mega or slag (SeqBoat)",
      mapped(
        "layer-type", ["mega": "mega", "slag": "seqboat"],
        refuse: Dictionary(
          uniqueKeysWithValues: ["transformer", "luna", "lstm", "flash"].map {
            ($0, "layer type \(notImplemented)")
          }))),
    F(
      "layer-type", [.sc], choices: ["mega", "slag"], "mega or slag (SeqBoat)",
      mapped("layer-type", ["mega": "mega", "slag": "seqboat"])),
    .value(
      "classifier-out-dim", classifiers, to: ["classifier-out-dim"], ours: true,
      "classifier width Dc (set by the reference's arch functions)"),
    .value(
      "classifier-layers", classifiers, to: ["classifier-layers"], ours: true,
      "hidden classifier layers (set by the reference's arch functions)"),
    .enables("use-nli", [.lra], "use-nli", "Retrieval features [r2, r1, r1*r2, r1-r2]"),
    .enables("add-apos", [.lra], "add-apos", seqBoatOnly: true, "absolute positions"),
    F(
      "use-p", switch: true, [.lra], "predict from p",
      .refused("reads an encoder output Mega and SeqBoat do not have")),
    F("apply-bert-init", switch: true, classifiers, "BERT init", .refused(notImplemented)),
    .ignored("sent-loss", switch: true, classifiers, "sentence loss (always)"),
    .ignored("encoder-layerdrop", classifiers, "LayerDrop (not passed to Mega/SeqBoat)"),
    .ignored("encoder-attention-heads", [.lra], "transformer heads"),
    .ignored("share-encoder-input-output-embed", switch: true, [.lra], "transformer option"),
    .ignored("encoder-learned-pos", switch: true, [.lra], "transformer option"),
    .ignored("no-token-positional-embeddings", switch: true, [.lra], "transformer option"),
    .ignored("no-scale-embedding", switch: true, [.lra], "classifiers never scale"),
    .ignored("quant-noise-pq", [.lra], "transformer option"),
    .ignored("quant-noise-pq-block-size", [.lra], "transformer option"),
    .ignored("quant-noise-scalar", [.lra], "transformer option"),
    .ignored("encoder-projection-length", [.lra], "Luna option"),
    .ignored("encoder-projected-attention-heads", [.lra], "Luna option"),
    .ignored("decoder-projected-attention-heads", [.lra], "Luna option"),
  ]

  /// Options of the language models only.
  static let languageModelTable: [ModelFlag] =
    [
      .value("hidden-dropout", [.lm], to: ["hidden-dropout"], "dropout on the values"),
      .value("activation-dropout", [.lm], to: ["activation-dropout"], "NFFN hidden dropout"),
      .value("decoder-embed-dim", [.lm], to: ["encoder-embed-dim"], "E"),
      .value("decoder-hidden-dim", [.lm], to: ["encoder-hidden-dim"], "H"),
      .value("decoder-z-dim", [.lm], to: ["z-dim"], "Z"),
      .value("decoder-n-dim", [.lm], to: ["n-dim"], "N"),
      .value("decoder-ffn-embed-dim", [.lm], to: ["encoder-ffn-embed-dim"], "F (<= 0: none)"),
      .value("decoder-chunk-size", [.lm], to: ["chunk-size"], "chunk / window, -1 none"),
      .value("decoder-layers", [.lm], to: ["encoder-layers"], "layers"),
      .value("decoder-input-dim", [.lm], to: ["decoder-input-dim"], "embedding width"),
      .value("max-target-positions", [.lm], to: ["max-positions"], "longest input"),
      .enables(
        "share-decoder-input-output-embed", [.lm], "share-decoder-input-output-embed",
        "tied output projection"),
      F(
        "normalization-type", [.lm], choices: ["layernorm", "scalenorm"], "normalisation",
        .sets { ["normalization-type": $0] }),
      .enables("normalize-before", [.lm], "normalize-before", "pre-norm, with a final norm"),
      .enables("no-affine-final-norm", [.lm], "no-affine-final-norm", "final norm without affine"),
      .enables("no-scale-embedding", [.lm], "no-scale-embedding", "no sqrt(E) embedding scale"),
      F(
        "decoder-embed-path", [.lm], "pretrained embedding file",
        .refused("loading embeddings from a file is \(notImplemented)")),
      .ignored("report-ema-alpha", switch: true, [.lm], "reference logging"),
      .ignored("write-out-alpha", switch: true, [.lm], "reference logging"),
    ] + AdaptiveFlags.table

  /// Options every model parser has.
  static let sharedTable: [ModelFlag] = [
    .value("dropout", all, to: ["dropout"], "dropout"),
    .value("attention-dropout", all, to: ["attention-dropout"], "attention weights"),
    .value("truncation-length", all, to: ["truncation-length"], "EMA kernel truncation"),
    activation("activation-fn", "activation-fn", all, "activation"),
    F(
      "attention-activation-fn", all, choices: AttentionFunction.allCases.map(\.rawValue),
      "attention function", .sets { ["attention-activation-fn": $0] }),
    F(
      "rel-pos-bias", all, choices: ["simple", "rotary"], "relative positions",
      .sets { ["rel-pos-bias": $0] }),
    .enables("normalize-embedding", [.lra, .lm], "normalize-embedding", "norm on the embedding"),
    .ignored("normalize-embedding", switch: true, [.sc], "the raw-audio encoder has none"),
    F(
      "feature-dropout", switch: true, all, "channel dropout",
      .refused("feature dropout is \(notImplemented)")),
    .value("init-temp-scale", all, to: ["init-temp-scale"], seqBoatOnly: true, "router temp"),
    .enables("local-pos", all, "local-pos", seqBoatOnly: true, "slot-distance table"),
    .value("act-bias", classifiers, to: ["act-bias"], seqBoatOnly: true, "router act_bias"),
    F(
      "always-act", switch: true, classifiers, seqBoatOnly: true, "always compress",
      .refused(notImplemented)),
    .value("vocab-size", [.lra, .lm], to: ["vocab-size"], ours: true, "embedding rows"),
    .value("padding-idx", [.lra, .lm], to: ["padding-idx"], ours: true, "padding id"),
  ]

  /// `fairseq-train` launcher options that change nothing in a seqboat run.
  static let launcherTable: [ModelFlag] = [
    .ignored("ddp-backend", all, "DDP implementation (one all-reduce path here)"),
    .ignored("find-unused-parameters", switch: true, all, "DDP option"),
    .ignored("num-workers", all, "data loader processes"),
    .ignored("distributed-world-size", all, "the MPI world decides"),
    .ignored("distributed-rank", all, "the MPI world decides"),
    .ignored("distributed-backend", all, "MPI here"),
    .ignored("distributed-init-method", all, "MPI here"),
    .ignored("distributed-port", all, "MPI here"),
    .ignored("distributed-no-spawn", switch: true, all, "MPI here"),
    .ignored("device-id", all, "CPU ranks"),
  ]
}
