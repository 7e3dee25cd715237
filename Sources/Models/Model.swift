import Layers
import Tensor

/// A model built from a `ModelConfig`: the LRA and Speech Commands classifier or a language
/// model. Training, evaluation and checkpoints see a model only through this protocol and the
/// module tree it inherits; `makeModel` is the one place that chooses the kind.
public protocol Model: Module {
  /// The configuration the model was built from.
  var config: ModelConfig { get }
  /// Reference names that alias one of the parameters (tied weights): alias → parameter name.
  var tiedNames: [String: String] { get }
  /// The summed loss of `batch` in `ctx` (MODEL.md §5.8); throws on a batch of another kind.
  func loss(_ batch: MicroBatch, _ ctx: ForwardContext) throws -> BatchStats
  /// The outputs the reference implementation names for the named inputs of `inputs` in `ctx`
  /// (golden files and fairseq fixtures), with the summed loss and its sample size.
  func referenceOutputs(_ inputs: ReferenceInputs, _ ctx: ForwardContext) throws
    -> ReferenceOutputs
  /// A stream reading long token blocks in consecutive segments with attention chunks of
  /// `chunkSize` and every layer's state carried (Mega's own language-model evaluation, MODEL.md
  /// §5.9); nil when the model cannot read so (classifiers, layers without carried state);
  /// throws when `chunkSize` does not suit the model.
  func segmentStream(chunkSize: Int) throws -> SegmentStream?
}

extension Model {
  public var tiedNames: [String: String] { [:] }
}

/// The model of `config` with the reference initialisation drawn from a generator seeded `seed`;
/// with `shapesOnly`, its parameters have their shapes but uninitialised, non-resident storage
/// (for reports of shapes and counts only).
public func makeModel(_ config: ModelConfig, seed: UInt64 = 1, shapesOnly: Bool = false) -> Model {
  var rng = SplitMix64(seed: seed, shapesOnly: shapesOnly)
  switch config.task {
  case .lra, .sc: return SequenceClassifier(config, rng: &rng)
  case .lm: return LanguageModel(config, rng: &rng)
  }
}

/// One rank's share of a micro-batch, ready for the model.
public enum MicroBatch {
  /// Classifier input and the class of each row.
  case classification(ClassifierInput, targets: [Int])
  /// Language-model input tokens and targets `[B, L]` row-major.
  case languageModel(tokens: [Int], targets: [Int], batch: Int)
}

/// What one micro-batch contributed: the summed loss (nats), its sample size (sentences or target
/// tokens) and the number of correct predictions (classification).
public struct BatchStats {
  /// Summed loss tensor (backward starts here).
  public let loss: Tensor
  /// Sentences (classification) or non-pad target tokens (LM).
  public let sampleSize: Int
  /// Correct argmax predictions (0 for LM).
  public let correct: Int
}

extension SequenceClassifier: Model {
  public func loss(_ batch: MicroBatch, _ ctx: ForwardContext) throws -> BatchStats {
    guard case .classification(let input, let targets) = batch else {
      throw ModelInputError.shape(field: "target", "a classifier needs labelled examples")
    }
    let (loss, correct) = try Losses.classification(logits: logits(input, ctx), targets: targets)
    return BatchStats(loss: loss, sampleSize: targets.count, correct: correct)
  }

  /// Classifiers read whole sequences.
  public func segmentStream(chunkSize: Int) throws -> SegmentStream? { nil }
}

extension LanguageModel: Model {
  public func loss(_ batch: MicroBatch, _ ctx: ForwardContext) throws -> BatchStats {
    guard case .languageModel(let tokens, let targets, let rows) = batch else {
      throw ModelInputError.shape(field: "target", "a language model needs token blocks")
    }
    let (loss, count) = try loss(tokens: tokens, targets: targets, batch: rows, ctx)
    return BatchStats(loss: loss, sampleSize: count, correct: 0)
  }

  public func segmentStream(chunkSize: Int) throws -> SegmentStream? {
    try SegmentStream(self, chunkSize: chunkSize)
  }
}
