/// The checks a `ModelConfig` passes before a model is built: every size and rate in its range,
/// and no combination the reference rejects or that we do not implement. Each failure names the
/// reference argument and its value in one line (`ModelConfigError.badArgument`).
public enum ModelConfigChecks {
  /// Throws for the first field of `c` out of range or in a combination that cannot be built.
  public static func check(_ c: ModelConfig) throws {
    let lm = c.task == .lm
    try need(c.layers >= 1, lm ? "decoder_layers" : "encoder_layers", c.layers, "must be >= 1")
    for (key, v) in [
      ("embed_dim", c.embedDim), ("hidden_dim", c.hiddenDim), ("z_dim", c.zDim),
      ("n_dim", c.nDim), ("max_positions", c.maxPositions),
    ] {
      try need(v >= 1, key, v, "must be >= 1")
    }
    try need(c.chunkSize != 0, "chunk_size", 0, "must be -1 (no chunks) or >= 1")
    if let t = c.truncation { try need(t >= 1, "truncation_length", t, "must be >= 1") }
    for (key, p) in [
      ("dropout", c.dropout), ("attention_dropout", c.attentionDropout),
      ("hidden_dropout", c.hiddenDropout), ("activation_dropout", c.activationDropout),
      ("adaptive_softmax_dropout", c.adaptiveSoftmaxDropout),
    ] {
      try need(p >= 0 && p < 1, key, p, "must be in [0, 1)")
    }
    try need(c.vocabSize >= 0, "vocab_size", c.vocabSize, "must be >= 0")
    if c.input == .tokens, c.vocabSize > 0 {
      try need(
        (0..<c.vocabSize).contains(c.paddingIndex), "padding_idx", c.paddingIndex,
        "must be a row of the \(c.vocabSize)-row embedding")
    }
    try need(
      !(c.normalizeEmbedding && c.prenorm), "normalize_embedding", true,
      "the reference allows it only without normalize_before")
    try need(c.initTempScale > 0, "init_temp_scale", c.initTempScale, "must be > 0")
    if lm { try checkLanguageModel(c) } else { try checkClassifier(c) }
  }

  static func checkClassifier(_ c: ModelConfig) throws {
    try need(c.classes >= 1, "sentence_class_num", c.classes, "must be >= 1")
    try need(c.classifierLayers >= 0, "classifier_layers", c.classifierLayers, "must be >= 0")
    try need(c.classifierOutDim >= 1, "classifier_out_dim", c.classifierOutDim, "must be >= 1")
    try need(
      c.classifierHiddenLayers > 0 || c.classifierInDim == c.classifierOutDim, "classifier_layers",
      0,
      "the projection then reads the \(c.classifierInDim)-wide sentence representation, so "
        + "classifier_out_dim must be \(c.classifierInDim)")
    try need(
      !(c.task == .sc && c.sentenceRepresentation == .cls), "sen_rep_type", "cls",
      "SCRawModel asserts mp")
  }

  static func checkLanguageModel(_ c: ModelConfig) throws {
    guard let d = c.decoderInputDim else { return }
    let key = "decoder_input_dim"
    try need(d >= 1, key, d, "must be >= 1")
    guard d != c.embedDim else { return }
    try need(
      c.adaptiveCutoffs == nil, key, d,
      "tied adaptive weights need decoder_input_dim = decoder_embed_dim (\(c.embedDim))")
    try need(
      !c.shareEmbedding, key, d,
      "a tied output projection of width \(d) cannot read \(c.embedDim)-wide features")
  }

  /// Throws `badArgument(key, "is VALUE; why")` unless `ok`.
  static func need(_ ok: Bool, _ key: String, _ value: Any, _ why: String) throws {
    if !ok { throw ModelConfigError.badArgument(key, "is \(value); \(why)") }
  }
}
