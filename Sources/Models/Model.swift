import Layers
import Tensor

/// A model built from a `ModelConfig`: a classifier (LRA, SC) or a language model.
public enum Model {
  case classifier(SequenceClassifier)
  case languageModel(LanguageModel)

  /// The model of `config` with the reference initialisation drawn from a generator seeded `seed`.
  public init(_ config: ModelConfig, seed: UInt64 = 1, collective: Collective = SingleProcess()) {
    var rng = SplitMix64(seed: seed)
    switch config.task {
    case .lra, .sc:
      self = .classifier(SequenceClassifier(config, collective: collective, rng: &rng))
    case .lm: self = .languageModel(LanguageModel(config, collective: collective, rng: &rng))
    }
  }

  /// The model as a `Module`.
  public var module: Module {
    switch self {
    case .classifier(let m): return m
    case .languageModel(let m): return m
    }
  }

  /// Train or eval mode.
  public var training: Bool {
    get {
      switch self {
      case .classifier(let m): return m.training
      case .languageModel(let m): return m.training
      }
    }
    nonmutating set {
      switch self {
      case .classifier(let m): m.training = newValue
      case .languageModel(let m): m.training = newValue
      }
    }
  }

  /// Reference names that alias a parameter (tied weights): alias → parameter name.
  public var tiedNames: [String: String] {
    if case .languageModel(let m) = self { return m.tiedNames }
    return [:]
  }

  /// The SeqBoat router records of the last forward call, one per layer run.
  public var routers: [RouterRecord] {
    switch self {
    case .classifier(let m): return m.routers
    case .languageModel(let m): return m.routers
    }
  }
}

extension Model {
  /// Installs `decision` as the compression decision of every SeqBoat layer (a data-parallel
  /// trainer passes one that agrees over the ranks of the micro-batch; MODEL.md §4.8). Every
  /// SeqBoat layer calls it once per forward call, in layer order, on every rank.
  public func setCompressionDecision(_ decision: @escaping CompressionDecision) {
    let layers: [SequenceLayer]
    switch self {
    case .classifier(let m): layers = m.encoder.layers
    case .languageModel(let m): layers = m.layers
    }
    for case let layer as SeqBoatStackLayer in layers {
      layer.layer.unit.compressionDecision = decision
    }
  }
}
