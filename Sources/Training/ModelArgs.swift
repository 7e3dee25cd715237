import Foundation
import Layers
import Models
import Tensor

/// The hyperparameters of a `ModelConfig` as the flat string table stored in checkpoints (one
/// entry per field, so every field is saved); the command line reaches it through `ModelFlags`.
public enum ModelArgs {
  /// One overridable field: its flag name, how to print it and how to set it from text.
  struct Field {
    let name: String
    let help: String
    let get: (ModelConfig) -> String
    let set: (inout ModelConfig, String) throws -> Void
  }

  /// The config's fields as flag name → value text (arch included).
  public static func table(_ config: ModelConfig) -> [String: String] {
    var out = ["arch": config.arch]
    for f in fields { out[f.name] = f.get(config) }
    return out
  }

  /// The preset `arch` with every entry of `values` (field name → text) applied and checked;
  /// throws one line naming the field and the value for an unknown field, a value that does not
  /// parse, or a configuration that cannot be built (`ModelConfigChecks`).
  public static func config(arch: String, values: [String: String]) throws -> ModelConfig {
    var config = try ModelConfig.preset(arch)
    for (name, text) in values.sorted(by: { $0.key < $1.key }) where name != "arch" {
      guard let field = fields.first(where: { $0.name == name }) else {
        throw TrainingError("unknown model field '\(name)'")
      }
      try field.set(&config, text)
    }
    try checkAdaptiveBands(config)
    try ReferenceArgumentFlag.naming(languageModel: config.task == .lm) {
      try ModelConfigChecks.check(config)
    }
    try ModelSizeCheck.check(config, memory: Double(ProcessInfo.processInfo.physicalMemory))
    return config
  }

  /// Adaptive input/softmax bands must be non-empty and keep a width of at least 1: cutoffs
  /// strictly increasing inside the vocabulary, and `E / factor^bands` ≥ 1.
  static func checkAdaptiveBands(_ config: ModelConfig) throws {
    guard let cutoffs = config.adaptiveCutoffs else { return }
    let bounds = [0] + cutoffs + [config.vocabSize]
    let text = cutoffs.map(String.init).joined(separator: ",")
    guard zip(bounds, bounds.dropFirst()).allSatisfy({ $0 < $1 }) else {
      throw TrainingError(
        "--adaptive-input-cutoff \(text) must increase strictly inside the vocabulary "
          + "(\(config.vocabSize) rows)")
    }
    let factor = config.adaptiveFactor
    guard factor >= 1 else {
      throw TrainingError("--adaptive-input-factor \(factor) must be at least 1")
    }
    let narrowest = cutoffs.reduce(config.embedDim) { d, _ in d / factor }
    guard narrowest >= 1 else {
      throw TrainingError(
        "--decoder-embed-dim \(config.embedDim) is too narrow for --adaptive-input-factor \(factor) "
          + "over \(cutoffs.count + 1) bands (the last band's width would be 0)")
    }
  }

  /// Throws when `text` does not parse as the value of the stored fields `keys` that `flag`
  /// sets under other names (`--act-dropout`, `--decoder-embed-dim`); `ModelFlags` puts `flag`
  /// in front of the reason.
  static func checkParses(_ text: String, into keys: [String], as flag: String) throws {
    var scratch = try ModelConfig.preset(ModelConfig.presetNames[0])
    for key in keys where key != flag {
      guard let field = fields.first(where: { $0.name == key }) else { continue }
      do {
        try field.set(&scratch, text)
      } catch {
        throw TrainingError("\(error)".replacingOccurrences(of: "--\(key) ", with: ""))
      }
    }
  }

  static func int(_ name: String, _ text: String) throws -> Int {
    guard let v = Int(text) else { throw TrainingError("--\(name) '\(text)' is not an integer") }
    return v
  }

  static func float(_ name: String, _ text: String) throws -> Float {
    guard let v = Float(text), v.isFinite else {
      throw TrainingError("--\(name) '\(text)' is not a number")
    }
    return v
  }

  static func bool(_ name: String, _ text: String) throws -> Bool {
    switch text.lowercased() {
    case "true", "1", "yes": return true
    case "false", "0", "no": return false
    default: throw TrainingError("--\(name) '\(text)' is not true or false")
    }
  }

  static func choice<T: RawRepresentable>(_ name: String, _ text: String, _ all: [T]) throws -> T
  where T.RawValue == String {
    guard let v = T(rawValue: text) else {
      throw TrainingError(
        "--\(name) '\(text)' is not one of \(all.map(\.rawValue).joined(separator: ", "))")
    }
    return v
  }

  static func intField(
    _ name: String, _ path: WritableKeyPath<ModelConfig, Int>, _ help: String
  ) -> Field {
    Field(
      name: name, help: help, get: { String($0[keyPath: path]) },
      set: { $0[keyPath: path] = try int(name, $1) })
  }

  static func floatField(
    _ name: String, _ path: WritableKeyPath<ModelConfig, Float>, _ help: String
  ) -> Field {
    Field(
      name: name, help: help, get: { String($0[keyPath: path]) },
      set: { $0[keyPath: path] = try float(name, $1) })
  }

  static func boolField(
    _ name: String, _ path: WritableKeyPath<ModelConfig, Bool>, _ help: String
  ) -> Field {
    Field(
      name: name, help: help, get: { String($0[keyPath: path]) },
      set: { $0[keyPath: path] = try bool(name, $1) })
  }

  static func choiceField<T: RawRepresentable>(
    _ name: String, _ path: WritableKeyPath<ModelConfig, T>, _ all: [T]
  ) -> Field where T.RawValue == String {
    Field(
      name: name, help: all.map(\.rawValue).joined(separator: "|"),
      get: { $0[keyPath: path].rawValue },
      set: { $0[keyPath: path] = try choice(name, $1, all) })
  }

  static let fields: [Field] = [
    choiceField("layer-type", \.family, [LayerFamily.mega, .seqboat]),
    choiceField("task-kind", \.task, [ModelTask.lra, .sc, .lm]),
    choiceField("input-kind", \.input, [ModelInput.tokens, .realNumbers]),
    intField("vocab-size", \.vocabSize, "embedding rows"),
    intField("padding-idx", \.paddingIndex, "padding id"),
    intField("encoder-layers", \.layers, "layers; --decoder-layers is the same"),
    intField("encoder-embed-dim", \.embedDim, "E"),
    intField("encoder-hidden-dim", \.hiddenDim, "H"),
    intField("encoder-ffn-embed-dim", \.ffnDim, "F, <= 0 for none"),
    intField("z-dim", \.zDim, "Z"),
    intField("n-dim", \.nDim, "N"),
    intField("chunk-size", \.chunkSize, "Mega chunk or SeqBoat window, -1 for none"),
    Field(
      name: "truncation-length", help: "EMA truncation, none for untruncated",
      get: { $0.truncation.map(String.init) ?? "none" },
      set: { $0.truncation = $1 == "none" ? nil : try int("truncation-length", $1) }),
    intField("max-positions", \.maxPositions, "max_positions / max_target_positions"),
    choiceField("attention-activation-fn", \.attentionActivation, AttentionFunction.allCases),
    choiceField("normalization-type", \.normType, NormType.allCases),
    boolField("normalize-before", \.prenorm, "pre-norm"),
    choiceField("activation-fn", \.activation, Activation.allCases),
    choiceField("rel-pos-bias", \.relPosBias, [RelativePositionKind.simple, .rotary]),
    floatField("dropout", \.dropout, "dropout"),
    floatField("attention-dropout", \.attentionDropout, "attention dropout"),
    floatField("hidden-dropout", \.hiddenDropout, "act/hidden dropout"),
    floatField("activation-dropout", \.activationDropout, "NFFN dropout"),
    intField("sentence-class-num", \.classes, "classes"),
    intField("classifier-out-dim", \.classifierOutDim, "Dc"),
    boolField("two-inputs", \.twoInputs, "retrieval pairs"),
    boolField("use-nli", \.useNLI, "SeqBoat NLI features"),
    boolField("local-pos", \.localPos, "SeqBoat slot-distance table"),
    floatField("init-temp-scale", \.initTempScale, "SeqBoat router temperature"),
    boolField("add-apos", \.addAbsolutePositions, "SeqBoat absolute positions"),
    floatField("act-bias", \.actBias, "SeqBoat act_bias"),
    boolField(
      "share-decoder-input-output-embed", \.shareEmbedding, "LM tied embedding"),
    boolField("no-affine-final-norm", \.noAffineFinalNorm, "LM final norm without affine"),
    Field(
      name: "adaptive-cutoffs", help: "LM adaptive cutoffs a,b or none",
      get: { $0.adaptiveCutoffs.map { $0.map(String.init).joined(separator: ",") } ?? "none" },
      set: { config, text in
        config.adaptiveCutoffs =
          text == "none"
          ? nil : try text.split(separator: ",").map { try int("adaptive-cutoffs", String($0)) }
      }),
    intField("adaptive-factor", \.adaptiveFactor, "LM adaptive factor"),
    intField("classifier-layers", \.classifierLayers, "hidden classifier layers"),
    choiceField("classifier-activation-fn", \.classifierActivation, Activation.allCases),
    choiceField("sen-rep-type", \.sentenceRepresentation, SentenceRepresentation.allCases),
    boolField("normalize-embedding", \.normalizeEmbedding, "embedding norm"),
    Field(
      name: "decoder-input-dim", help: "LM embedding width or none",
      get: { $0.decoderInputDim.map(String.init) ?? "none" },
      set: { $0.decoderInputDim = $1 == "none" ? nil : try int("decoder-input-dim", $1) }),
    Field(
      name: "no-scale-embedding", help: "LM without the sqrt(E) scale",
      get: { String(!$0.scaleEmbedding) },
      set: { $0.scaleEmbedding = !(try bool("no-scale-embedding", $1)) }),
    floatField("adaptive-softmax-dropout", \.adaptiveSoftmaxDropout, "LM adaptive dropout"),
  ]
}
