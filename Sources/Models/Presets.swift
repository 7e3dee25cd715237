import Layers

/// The named architectures of both papers exactly as the reference's `register_model_architecture`
/// functions set them (`lra/model.py`'s `base_architecture`, `speech_commands/model.py`,
/// `base_lm_architecture` and the named functions of both repositories): what `fairseq-train -a
/// NAME` builds when the command line adds nothing. The papers' recipes add their own options on
/// top (`jobs/`, `PaperRecipes`). Vocabulary sizes are ours (MODEL.md §7.3: ListOps 25 rows, Text
/// and Retrieval 265, enwik8 208, WikiText-103 267,744; pixel and audio models have none); the
/// dataset's own size is checked against them at start.
extension ModelConfig {
  /// Every preset name.
  public static let presetNames: [String] = [
    "mega_lra_listop", "mega_lra_imdb", "mega_lra_aan", "mega_lra_cifar10", "mega_lra_pf32",
    "mega_lra_pf128", "mega_sc_raw_base", "mega_sc_raw_big", "mega_lm_enwik8_base",
    "mega_lm_adaptive_big", "slag_lra_listop", "slag_lra_imdb", "slag_lra_aan", "slag_lra_cifar10",
    "slag_lra_pf32", "slag_lra_pf128_base", "slag_sc_raw_base", "slag_lm_enwik8_base_v2",
  ]

  /// Archs whose reference function sets no `norm_type` (the reference then fails without
  /// `--norm-type`); the command line must give one.
  public static let archsWithoutNormType: Set<String> = ["mega_lra_aan", "slag_lra_aan"]

  /// The preset `name`; throws `ModelConfigError.unknownArch` for any other name.
  public static func preset(_ name: String) throws -> ModelConfig {
    let family: LayerFamily = name.hasPrefix("slag_") ? .seqboat : .mega
    let lra = name.replacingOccurrences(of: "slag_", with: "mega_")
    switch lra {
    case "mega_lra_listop":
      return lraArch(name, family, .tokens, 25, 6, 80, 160, 64, c: -1, t: 1024, m: 2002, 10)
    case "mega_lra_imdb":
      return lraArch(name, family, .tokens, 265, 4, 128, 256, 64, c: -1, t: 1024, m: 4002, 2)
    case "mega_lra_aan":
      var c = lraArch(name, family, .tokens, 265, 6, 128, 256, 64, c: -1, t: 1024, m: 4002, 2)
      c.twoInputs = true
      return c
    case "mega_lra_cifar10":
      var c = lraArch(name, family, .realNumbers, 0, 8, 160, 320, 96, c: 1024, t: 1024, m: 1024, 10)
      c.normType = .batchnorm
      return c
    case "mega_lra_pf32":
      var c = lraArch(name, family, .realNumbers, 0, 6, 128, 256, 64, c: 1024, t: 1024, m: 1024, 2)
      c.normType = .batchnorm
      return c
    case "mega_lra_pf128" where family == .mega:
      var c = lraArch(name, family, .realNumbers, 0, 4, 64, 128, 32, c: 16384, t: 4096, m: 16384, 2)
      c.normType = .batchnorm
      return c
    case "mega_lra_pf128_base" where family == .seqboat:
      var c = lraArch(
        name, family, .realNumbers, 0, 6, 128, 256, 64, c: 16384, t: 16384, m: 16384, 2)
      c.normType = .batchnorm
      return c
    case "mega_sc_raw_base":
      return scArch(name, family, layers: family == .seqboat ? 8 : 6, e: 60, h: 120, z: 30)
    case "mega_sc_raw_big" where family == .mega:
      return scArch(name, family, layers: 6, e: 72, h: 144, z: 36)
    case "mega_lm_enwik8_base" where family == .mega:
      return lmArch(name, .mega, 208, layers: 12, e: 512, h: 1024, z: 128)
    case "mega_lm_enwik8_base_v2" where family == .seqboat:
      return lmArch(name, .seqboat, 208, layers: 14, e: 616, h: 1232, z: 128)
    case "mega_lm_adaptive_big" where family == .mega:
      var c = lmArch(name, .mega, 267_744, layers: 16, e: 1024, h: 2048, z: 256)
      c.dropout = 0.3
      c.attentionDropout = 0.1
      c.hiddenDropout = 0.1
      c.activationDropout = 0.1
      c.adaptiveCutoffs = [20000, 60000]
      c.adaptiveFactor = 4
      c.adaptiveSoftmaxDropout = 0.2
      return c
    default:
      throw ModelConfigError.unknownArch(name)
    }
  }

  /// An LRA classifier: the named function's sizes over `base_architecture` (dropout 0.1,
  /// attention dropout 0.1, act dropout 0, relu2 attention, post-norm, silu as every named
  /// function sets it, F = H, one gelu classifier block of width H, mean pooling, scalenorm where
  /// the function sets it, simple relative positions).
  private static func lraArch(
    _ arch: String, _ family: LayerFamily, _ input: ModelInput, _ vocab: Int, _ layers: Int,
    _ e: Int, _ h: Int, _ z: Int, c: Int, t: Int, m: Int, _ classes: Int
  ) -> ModelConfig {
    var cfg = ModelConfig(
      arch: arch, family: family, task: .lra, input: input, vocabSize: vocab, layers: layers,
      embedDim: e, hiddenDim: h, ffnDim: h, zDim: z, nDim: 16, chunkSize: c, truncation: t,
      maxPositions: m, attentionActivation: .relu2, normType: .scalenorm, prenorm: false,
      dropout: 0.1)
    cfg.attentionDropout = 0.1
    cfg.classes = classes
    cfg.classifierOutDim = h
    return cfg
  }

  /// A raw Speech Commands classifier (`speech_commands/model.py`'s `base_architecture`): no
  /// dropout, laplace attention, batch norm, pre-norm, F = H, classifier width 2E, chunk 1000,
  /// truncation 1000, 16,000 positions, 10 classes.
  private static func scArch(
    _ arch: String, _ family: LayerFamily, layers: Int, e: Int, h: Int, z: Int
  ) -> ModelConfig {
    var cfg = ModelConfig(
      arch: arch, family: family, task: .sc, input: .realNumbers, vocabSize: 0, layers: layers,
      embedDim: e, hiddenDim: h, ffnDim: h, zDim: z, nDim: 16, chunkSize: 1000, truncation: 1000,
      maxPositions: 16000, attentionActivation: .laplace, normType: .batchnorm, prenorm: true,
      dropout: 0)
    cfg.addAbsolutePositions = family == .seqboat  // SeqBoat's raw-audio encoder always adds them
    cfg.classes = 10
    cfg.classifierOutDim = 2 * e
    return cfg
  }

  /// A language model over `base_lm_architecture`: F = H, N 16, no chunking, truncation 2048,
  /// simple relative positions, layernorm post-norm, affine final norm, untied output, dropout
  /// 0.1, softmax attention, 1,024 target positions (`DEFAULT_MAX_TARGET_POSITIONS`).
  private static func lmArch(
    _ arch: String, _ family: LayerFamily, _ vocab: Int, layers: Int, e: Int, h: Int, z: Int
  ) -> ModelConfig {
    var cfg = ModelConfig(
      arch: arch, family: family, task: .lm, input: .tokens, vocabSize: vocab, layers: layers,
      embedDim: e, hiddenDim: h, ffnDim: h, zDim: z, nDim: 16, chunkSize: -1, truncation: 2048,
      maxPositions: 1024, attentionActivation: .softmax, normType: .layernorm, prenorm: false,
      dropout: 0.1)
    cfg.shareEmbedding = false
    cfg.noAffineFinalNorm = false
    return cfg
  }
}

/// A model configuration that cannot be built.
public enum ModelConfigError: Error, CustomStringConvertible {
  case unknownArch(String)
  case badArgument(String, String)

  public var description: String {
    switch self {
    case .unknownArch(let n):
      return
        "unknown architecture '\(n)' (known: \(ModelConfig.presetNames.joined(separator: ", ")))"
    case .badArgument(let key, let why): return "model args: '\(key)' \(why)"
    }
  }
}
