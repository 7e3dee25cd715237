import Layers
import Tensor

/// Where a reference forward pass reads its named inputs (`src_tokens`, `src1_tokens`, `target`:
/// golden files, fairseq fixtures). A model asks for each input in the form it reads it.
public protocol ReferenceInputs {
  /// Input `name` as token ids `[B, L]` row-major (in the model's numbering) and its batch `B`.
  func tokens(_ name: String) throws -> (ids: [Int], batch: Int)
  /// Input `name` as class labels.
  func labels(_ name: String) throws -> [Int]
  /// Input `name` as real values (real-number inputs).
  func values(_ name: String) throws -> Tensor
}

/// A model's outputs under the reference implementation's names, and its summed loss.
public struct ReferenceOutputs {
  /// Output tensors by name (`logits`; language models with adaptive softmax: `features`,
  /// `lprobs`).
  public var tensors: [String: Tensor]
  /// The outputs whose last dimension runs over the vocabulary.
  public var overVocabulary: Set<String>
  /// Summed loss (nats).
  public var lossSum: Tensor
  /// Sentences (classification) or non-pad target tokens (language models).
  public var sampleSize: Int

  /// The loss averaged over the sample size.
  public var meanLoss: Tensor { lossSum.scaled(1 / Float(max(sampleSize, 1))) }
}

extension SequenceClassifier {
  /// `logits` of `src_tokens` (with `src1_tokens` for two inputs; real values for real-number
  /// inputs) and the classification loss over the labels `target`.
  public func referenceOutputs(_ inputs: ReferenceInputs, _ ctx: ForwardContext) throws
    -> ReferenceOutputs
  {
    let source: ClassifierInput
    if config.input == .realNumbers {
      source = .values(try inputs.values("src_tokens"))
    } else if config.twoInputs {
      let (first, batch) = try inputs.tokens("src_tokens")
      source = .tokenPair(first, try inputs.tokens("src1_tokens").ids, batch: batch)
    } else {
      let (ids, batch) = try inputs.tokens("src_tokens")
      source = .tokens(ids, batch: batch)
    }
    let logits = try self.logits(source, ctx)
    let (sum, _) = try Losses.classification(logits: logits, targets: try inputs.labels("target"))
    return ReferenceOutputs(
      tensors: ["logits": logits], overVocabulary: [], lossSum: sum, sampleSize: logits.shape[0])
  }
}

extension LanguageModel {
  /// `logits` of `src_tokens` (with adaptive softmax `features` and `lprobs`) and the loss over
  /// the tokens `target`.
  public func referenceOutputs(_ inputs: ReferenceInputs, _ ctx: ForwardContext) throws
    -> ReferenceOutputs
  {
    let (tokens, batch) = try inputs.tokens("src_tokens")
    let targets = try inputs.tokens("target").ids
    let features = try features(tokens: tokens, batch: batch, ctx)
    let (sum, count) = try loss(tokens: tokens, targets: targets, batch: batch, ctx)
    var tensors: [String: Tensor] = [:]
    if let adaptive {
      tensors["features"] = features
      tensors["lprobs"] = Tensor(
        shape: features.shape.dropLast() + [config.vocabSize],
        data: adaptive.logProbabilities(features: features))
    } else {
      tensors["logits"] = GradMode.withoutGrad { logits(features: features) }
    }
    return ReferenceOutputs(
      tensors: tensors, overVocabulary: ["logits", "lprobs"], lossSum: sum, sampleSize: count)
  }
}
