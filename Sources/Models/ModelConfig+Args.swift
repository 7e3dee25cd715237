import Layers
import Tensor

extension ModelConfig {
  /// The configuration of a reference model from its fairseq argument namespace (`args`), its
  /// class (`LRAModel`, `SCRawModel`, `MegaLanguageModel`, `SeqBoatLanguageModel`), `arch` and the
  /// task's embedding row count (used as is; MODEL.md §5.1). Throws naming the first bad key.
  public init(modelClass: String, arch: String, vocabSize: Int, args: JSONValue) throws {
    let a = ArgReader(args)
    switch modelClass {
    case "LRAModel", "SCRawModel":
      let sc = modelClass == "SCRawModel"
      let family = try a.choice("layer_type") { ["mega": LayerFamily.mega, "slag": .seqboat][$0] }
      let input =
        sc
        ? .realNumbers
        : try a.choice("input_type") { ["text": ModelInput.tokens, "image": .realNumbers][$0] }
      let e = try a.int("encoder_embed_dim")
      self.init(
        arch: arch, family: family, task: sc ? .sc : .lra, input: input, vocabSize: vocabSize,
        layers: try a.int("encoder_layers"), embedDim: e,
        hiddenDim: try a.int("encoder_hidden_dim"),
        ffnDim: try a.int("encoder_ffn_embed_dim"), zDim: try a.int("z_dim"),
        nDim: try a.int("n_dim"), chunkSize: try a.int("chunk_size"),
        truncation: try a.optionalInt("truncation_length"),
        maxPositions: try a.int("max_positions"),
        attentionActivation: try a.attention("attention_activation_fn"),
        normType: try a.norm("norm_type"), prenorm: try a.bool("encoder_normalize_before"),
        dropout: try a.float("dropout"))
      hiddenDropout = try a.float("act_dropout")
      activationDropout = hiddenDropout
      classes = try a.int("sentence_class_num")
      classifierOutDim = try a.int("classifier_out_dim")
      let din = try a.int("classifier_in_dim")
      twoInputs = din > e
      if family == .seqboat {
        useNLI = try a.optionalBool("use_nli") ?? false
        let apos = try a.optionalBool("add_apos") ?? false
        addAbsolutePositions = sc || apos
      }
      guard din == classifierInDim else {
        throw ModelConfigError.badArgument(
          "classifier_in_dim", "is \(din), expected \(classifierInDim)")
      }
      sentenceRepresentation = try a.choice("sen_rep_type") { SentenceRepresentation(rawValue: $0) }
      classifierLayers = try a.int("classifier_layers")
      classifierActivation = try a.choice("classifier_activation_fn") {
        Activation(fairseqName: $0)
      }
      if try a.optionalBool("use_p") ?? false {
        throw ModelConfigError.badArgument("use_p", "is true (not supported)")
      }
    case "MegaLanguageModel", "SeqBoatLanguageModel":
      self.init(
        arch: arch, family: modelClass == "SeqBoatLanguageModel" ? .seqboat : .mega, task: .lm,
        input: .tokens, vocabSize: vocabSize, layers: try a.int("decoder_layers"),
        embedDim: try a.int("decoder_embed_dim"), hiddenDim: try a.int("decoder_hidden_dim"),
        ffnDim: try a.int("decoder_ffn_embed_dim"), zDim: try a.int("decoder_z_dim"),
        nDim: try a.int("decoder_n_dim"), chunkSize: try a.int("decoder_chunk_size"),
        truncation: try a.optionalInt("truncation_length"),
        maxPositions: try a.int("max_target_positions"),
        attentionActivation: try a.attention("attention_activation_fn"),
        normType: try a.norm("normalization_type"), prenorm: try a.bool("normalize_before"),
        dropout: try a.float("dropout"))
      hiddenDropout = try a.float("hidden_dropout")
      activationDropout = try a.float("activation_dropout")
      shareEmbedding = try a.bool("share_decoder_input_output_embed")
      noAffineFinalNorm = try a.bool("no_affine_final_norm")
      scaleEmbedding = !(try a.bool("no_scale_embedding"))
      decoderInputDim = try a.optionalInt("decoder_input_dim")
      if try a.bool("adaptive_input") {
        for key in ["tie_adaptive_weights", "tie_adaptive_proj"] where !(try a.bool(key)) {
          throw ModelConfigError.badArgument(key, "is false (only tied adaptive softmax)")
        }
        let same = [
          ("adaptive_softmax_cutoff", "adaptive_input_cutoff"),
          ("adaptive_softmax_factor", "adaptive_input_factor"),
        ]
        for (a1, a2) in same where try a.value(a1) != (try a.value(a2)) {
          throw ModelConfigError.badArgument(a1, "differs from \(a2) (tied weights need both)")
        }
        guard let text = try a.optionalString("adaptive_input_cutoff") else {
          throw ModelConfigError.badArgument("adaptive_input_cutoff", "is missing")
        }
        let cutoffs = text.split(separator: ",").compactMap { Int($0) }
        guard !cutoffs.isEmpty else {
          throw ModelConfigError.badArgument("adaptive_input_cutoff", "'\(text)' is not a list")
        }
        adaptiveCutoffs = cutoffs
        adaptiveFactor = try a.int("adaptive_input_factor")
        adaptiveSoftmaxDropout = try a.float("adaptive_softmax_dropout")
      } else if let cut = try a.optionalString("adaptive_softmax_cutoff") {
        throw ModelConfigError.badArgument(
          "adaptive_softmax_cutoff", "is '\(cut)' without adaptive_input (not supported)")
      }
    default:
      throw ModelConfigError.badArgument("model_class", "'\(modelClass)' is not a known model")
    }
    normalizeEmbedding = try a.optionalBool("normalize_embedding") ?? false
    if try a.optionalBool("feature_dropout") ?? false {
      throw ModelConfigError.badArgument("feature_dropout", "is true (not supported)")
    }
    activation = try a.choice("activation_fn") { Activation(fairseqName: $0) }
    relPosBias = try a.relativePosition("rel_pos_bias")
    attentionDropout = try a.float("attention_dropout")
    if family == .seqboat {
      localPos = try a.optionalBool("local_pos") ?? false
      initTempScale = try a.float("init_temp_scale")
      actBias = Float(try a.optionalDouble("act_bias") ?? 0)
      if try a.optionalBool("always_act") ?? false {
        throw ModelConfigError.badArgument("always_act", "is true (not supported)")
      }
    }
    try ModelConfigChecks.check(self)
  }
}

/// Typed reads of a fairseq argument namespace, each error naming the key.
private struct ArgReader {
  let args: JSONValue

  init(_ args: JSONValue) { self.args = args }

  func value(_ key: String) throws -> JSONValue {
    guard let v = args[key] else { throw ModelConfigError.badArgument(key, "is missing") }
    return v
  }

  func int(_ key: String) throws -> Int {
    guard let v = try value(key).int else {
      throw ModelConfigError.badArgument(key, "is not an integer")
    }
    return v
  }

  func optionalInt(_ key: String) throws -> Int? {
    guard let v = args[key], !v.isNull else { return nil }
    return try int(key)
  }

  func optionalDouble(_ key: String) throws -> Double? {
    guard let v = args[key], !v.isNull else { return nil }
    guard let d = v.double else { throw ModelConfigError.badArgument(key, "is not a number") }
    return d
  }

  func float(_ key: String) throws -> Float {
    guard let d = try value(key).double else {
      throw ModelConfigError.badArgument(key, "is not a number")
    }
    return Float(d)
  }

  func bool(_ key: String) throws -> Bool {
    guard let b = try value(key).bool else {
      throw ModelConfigError.badArgument(key, "is not a boolean")
    }
    return b
  }

  func optionalBool(_ key: String) throws -> Bool? {
    guard let v = args[key], !v.isNull else { return nil }
    return try bool(key)
  }

  func string(_ key: String) throws -> String {
    guard let s = try value(key).string else {
      throw ModelConfigError.badArgument(key, "is not a string")
    }
    return s
  }

  func optionalString(_ key: String) throws -> String? {
    guard let v = args[key], !v.isNull else { return nil }
    return try string(key)
  }

  func choice<T>(_ key: String, _ parse: (String) -> T?) throws -> T {
    let s = try string(key)
    guard let v = parse(s) else {
      throw ModelConfigError.badArgument(key, "'\(s)' is not supported")
    }
    return v
  }

  func attention(_ key: String) throws -> AttentionFunction {
    try choice(key) { AttentionFunction(rawValue: $0) }
  }

  func norm(_ key: String) throws -> NormType { try choice(key) { NormType(rawValue: $0) } }

  func relativePosition(_ key: String) throws -> RelativePositionKind {
    try choice(key) { RelativePositionKind(rawValue: $0) }
  }
}
