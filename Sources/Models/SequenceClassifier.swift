import Layers
import Tensor

/// The input of a classifier: token ids or real values, one document or two (Retrieval).
public enum ClassifierInput {
  /// Token ids `[B, L]` row-major, right-padded with the padding id.
  case tokens([Int], batch: Int)
  /// Real values `[B, L]` (pixels, audio).
  case values(Tensor)
  /// Two token documents `[B, L]` and `[B, L']` (`src_tokens`, `src1_tokens`).
  case tokenPair([Int], [Int], batch: Int)
}

/// The LRA and Speech Commands classifier (`LRAModel`, `SCRawModel`; MODEL.md §5.1–5.5): the
/// shared encoder on one or two inputs, then `classifier_layers` blocks `Linear → dropout →
/// activation` and a projection without bias. State names: `encoder.encoder.*`,
/// `classifier.{i}.0.*`, `sentence_projection_layer.weight`.
public final class SequenceClassifier: Module {
  /// The configuration.
  public let config: ModelConfig
  /// `encoder.encoder`.
  public let encoder: SequenceEncoder
  /// `classifier.{i}.0` (Din → Dc, then Dc → Dc).
  public let hidden: [Linear]
  /// `sentence_projection_layer` (Dc → classes, no bias).
  public let projection: Linear
  private let dropout: Dropout

  /// A classifier for `config` with the reference initialisation drawn from `rng`.
  public init(_ config: ModelConfig, rng: inout SplitMix64) {
    self.config = config
    encoder = SequenceEncoder(config, rng: &rng)
    hidden = (0..<config.classifierHiddenLayers).map { i in
      Linear(
        i == 0 ? config.classifierInDim : config.classifierOutDim, config.classifierOutDim,
        weightInit: .xavierUniform, rng: &rng)
    }
    projection = Linear(
      config.classifierOutDim, config.classes, bias: false, weightInit: .xavierUniform, rng: &rng)
    dropout = Dropout(config.dropout, site: rng.next())
  }

  public var members: [ModuleMember] {
    [.child("encoder.encoder", encoder)]
      + hidden.enumerated().map { .child("classifier.\($0.offset).0", $0.element) }
      + [.child("sentence_projection_layer", projection)]
  }

  /// Logits `[B, classes]` in `ctx`. SeqBoat router records go to `ctx.routers`: the encoder's
  /// layers on the first input, then (Retrieval) on the second, as the reference numbers them
  /// (`0..<N`, then `N..<2N`).
  public func logits(_ input: ClassifierInput, _ ctx: ForwardContext) throws -> Tensor {
    let features: Tensor
    switch input {
    case .tokens(let ids, let batch):
      try requireSingle()
      features = try encoder.encode(tokens: ids, batch: batch, ctx)
    case .values(let x):
      try requireSingle()
      features = try encoder.encode(values: x, ctx)
    case .tokenPair(let first, let second, let batch):
      guard config.twoInputs else {
        throw ModelInputError.shape(field: "src1_tokens", "this model reads one input")
      }
      let r1 = try encoder.encode(tokens: first, batch: batch, field: "src_tokens", ctx)
      let r2 = try encoder.encode(tokens: second, batch: batch, field: "src1_tokens", ctx)
      features = Tensor.concat(
        lastDim: config.useNLI ? [r2, r1, r1 * r2, r1 - r2] : [r2, r1])
    }
    let activation = config.classifierActivation
    return projection(
      hidden.reduce(features) {
        dropout($1($0), .exampleMajor(virtualSize: nil), ctx).activated(activation)
      })
  }

  private func requireSingle() throws {
    if config.twoInputs {
      throw ModelInputError.shape(field: "src1_tokens", "this model needs a second input")
    }
  }

}
