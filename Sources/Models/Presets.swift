import Layers

/// The named architectures of both papers (MODEL.md §6.5) with the reference's defaults and the
/// vocabulary sizes of MODEL.md §7.3 (ListOps 25 rows, Text and Retrieval 265, enwik8 208,
/// WikiText-103 267,744; pixel and audio models have none).
extension ModelConfig {
  /// Every preset name.
  public static let presetNames: [String] = [
    "mega_lra_listop", "mega_lra_imdb", "mega_lra_aan", "mega_lra_cifar10", "mega_lra_pf32",
    "mega_lra_pf128", "mega_sc_raw_base", "mega_sc_raw_big", "mega_lm_enwik8_base",
    "mega_lm_adaptive_big", "slag_lra_listop", "slag_lra_imdb", "slag_lra_aan", "slag_lra_cifar10",
    "slag_lra_pf32", "slag_lra_pf128_base", "slag_sc_raw_base", "slag_lm_enwik8_base_v2",
  ]

  /// The preset `name`; throws `ModelConfigError.unknownArch` for any other name.
  public static func preset(_ name: String) throws -> ModelConfig {
    switch name {
    case "mega_lra_listop":
      return megaLRA(name, .tokens, 25, 6, 80, 160, 64, c: -1, m: 2002, .softmax, .layernorm, 10)
    case "mega_lra_imdb":
      return megaLRA(name, .tokens, 265, 4, 128, 256, 64, c: -1, m: 4002, .softmax, .scalenorm, 2)
    case "mega_lra_aan":
      var c = megaLRA(
        name, .tokens, 265, 6, 128, 256, 64, c: -1, m: 4002, .softmax, .scalenorm, 2)
      c.twoInputs = true
      return c
    case "mega_lra_cifar10":
      return megaLRA(
        name, .realNumbers, 0, 8, 160, 320, 96, c: 1024, m: 1024, .laplace, .batchnorm, 10)
    case "mega_lra_pf32":
      return megaLRA(
        name, .realNumbers, 0, 6, 128, 256, 64, c: 1024, m: 1024, .laplace, .batchnorm, 2)
    case "mega_lra_pf128":
      var c = megaLRA(
        name, .realNumbers, 0, 4, 64, 128, 32, c: 16384, m: 16384, .laplace, .syncbatchnorm, 2)
      c.truncation = 4096
      return c
    case "mega_sc_raw_base", "mega_sc_raw_big":
      let e = name == "mega_sc_raw_base" ? 60 : 72
      var c = megaLRA(
        name, .realNumbers, 0, 6, e, 2 * e, e / 2, c: 1000, m: 16000, .laplace, .batchnorm, 10)
      c.task = .sc
      c.truncation = 1000
      return c
    case "mega_lm_enwik8_base":
      return megaLM(name, 208, 12, 512, 1024, 128, c: 2048, m: 10384, dropout: 0.1, hidden: 0)
    case "mega_lm_adaptive_big":
      var c = megaLM(
        name, 267_744, 16, 1024, 2048, 256, c: 1024, m: 8096, dropout: 0.3, hidden: 0.1)
      c.attentionDropout = 0.1
      c.activationDropout = 0.1
      c.adaptiveCutoffs = [20000, 60000]
      c.adaptiveSoftmaxDropout = 0.2
      return c
    case "slag_lra_listop":
      return slagLRA(
        name, .tokens, 25, 6, 80, 160, 64, w: 128, m: 2002, .softmax, .layernorm, 10, temp: 0.3)
    case "slag_lra_imdb":
      var c = slagLRA(
        name, .tokens, 265, 4, 128, 256, 64, w: 128, m: 4002, .softmax, .scalenorm, 2, temp: 0.3)
      c.localPos = true
      return c
    case "slag_lra_aan":
      var c = slagLRA(
        name, .tokens, 265, 6, 128, 256, 64, w: 128, m: 4002, .softmax, .scalenorm, 2, temp: 0.3)
      c.twoInputs = true
      c.useNLI = true
      return c
    case "slag_lra_cifar10":
      return slagLRA(
        name, .realNumbers, 0, 8, 160, 320, 96, w: 128, m: 1024, .relu2, .batchnorm, 10,
        temp: 0.4)
    case "slag_lra_pf32":
      return slagLRA(
        name, .realNumbers, 0, 6, 128, 256, 64, w: 128, m: 1024, .relu2, .batchnorm, 2, temp: 1)
    case "slag_lra_pf128_base":
      var c = slagLRA(
        name, .realNumbers, 0, 4, 128, 256, 64, w: 256, m: 16384, .relu2, .syncbatchnorm, 2,
        temp: 1)
      c.truncation = 16384
      return c
    case "slag_sc_raw_base":
      var c = slagLRA(
        name, .realNumbers, 0, 8, 60, 120, 30, w: 128, m: 16000, .relu2, .batchnorm, 10, temp: 1)
      c.task = .sc
      c.truncation = 4000
      c.localPos = true
      return c
    case "slag_lm_enwik8_base_v2":
      var c = megaLM(name, 208, 14, 616, 1232, 128, c: 1024, m: 10384, dropout: 0.15, hidden: 0)
      c.family = .seqboat
      c.ffnDim = -1
      c.truncation = 2048
      c.initTempScale = 1
      return c
    default:
      throw ModelConfigError.unknownArch(name)
    }
  }

  /// A Mega LRA/SC classifier: F = H, truncation 1024, classifier width H; pixel models pre-norm
  /// without dropout, token models post-norm with dropout 0.1.
  private static func megaLRA(
    _ arch: String, _ input: ModelInput, _ vocab: Int, _ layers: Int, _ e: Int, _ h: Int, _ z: Int,
    c: Int, m: Int, _ attention: AttentionFunction, _ norm: NormType, _ classes: Int
  ) -> ModelConfig {
    let pixels = input == .realNumbers
    var cfg = ModelConfig(
      arch: arch, family: .mega, task: .lra, input: input, vocabSize: vocab, layers: layers,
      embedDim: e, hiddenDim: h, ffnDim: h, zDim: z, nDim: 16, chunkSize: c, truncation: 1024,
      maxPositions: m, attentionActivation: attention, normType: norm, prenorm: pixels,
      dropout: pixels ? 0 : 0.1)
    cfg.classes = classes
    cfg.classifierOutDim = h
    return cfg
  }

  /// A SeqBoat LRA/SC classifier: no NFFN, absolute positions on pixel and audio input.
  private static func slagLRA(
    _ arch: String, _ input: ModelInput, _ vocab: Int, _ layers: Int, _ e: Int, _ h: Int, _ z: Int,
    w: Int, m: Int, _ attention: AttentionFunction, _ norm: NormType, _ classes: Int, temp: Float
  ) -> ModelConfig {
    var cfg = megaLRA(
      arch, input, vocab, layers, e, h, z, c: w, m: m, attention, norm, classes)
    cfg.family = .seqboat
    cfg.ffnDim = -1
    cfg.initTempScale = temp
    cfg.addAbsolutePositions = input == .realNumbers
    return cfg
  }

  /// A Mega language model: softmax, rotary, layernorm pre-norm, final norm without affine,
  /// truncation 8192, tied embedding, F = H.
  private static func megaLM(
    _ arch: String, _ vocab: Int, _ layers: Int, _ e: Int, _ h: Int, _ z: Int, c: Int, m: Int,
    dropout: Float, hidden: Float
  ) -> ModelConfig {
    var cfg = ModelConfig(
      arch: arch, family: .mega, task: .lm, input: .tokens, vocabSize: vocab, layers: layers,
      embedDim: e, hiddenDim: h, ffnDim: h, zDim: z, nDim: 16, chunkSize: c, truncation: 8192,
      maxPositions: m, attentionActivation: .softmax, normType: .layernorm, prenorm: true,
      dropout: dropout)
    cfg.relPosBias = .rotary
    cfg.hiddenDropout = hidden
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
