import Layers
import Tensor

/// A Mega language model reading one long block in consecutive segments, as Mega's own
/// evaluation does (MODEL.md §2.6, §5.9): the attention chunk is `chunkSize` whatever the model
/// was trained with, attention stays within chunks, and every layer's EMA carries its state from
/// one segment to the next with an untruncated kernel. Evaluation only (no gradients); segments
/// other than the last must be multiples of the chunk.
public final class MegaLMStream {
  /// The attention chunk used while streaming.
  public let chunkSize: Int
  private let layers: [MegaLayer]
  private let states: [EMAState]
  /// The length of the last segment when it was not a multiple of the chunk (the block ended).
  private var partial: Int?

  /// A fresh stream over `model`'s layers; throws unless `model` is a Mega language model whose
  /// relative-position bias can serve chunks of `chunkSize` (> 0) positions.
  public init(_ model: LanguageModel, chunkSize: Int) throws {
    let layers = model.layers.compactMap { $0 as? MegaLayer }
    guard model.config.family == .mega, layers.count == model.layers.count else {
      throw ModelConfigError.badArgument(
        "arch", "'\(model.config.arch)' is not a Mega language model")
    }
    guard chunkSize > 0 else {
      throw ModelConfigError.badArgument("decoder_chunk_size", "\(chunkSize) must be > 0")
    }
    for layer in layers {
      let bias = layer.megaLayer.relPosBias
      if bias.kind == .simple, chunkSize > bias.maxPositions {
        throw ModelConfigError.badArgument(
          "decoder_chunk_size",
          "\(chunkSize) exceeds the simple relative-position table (M = \(bias.maxPositions))")
      }
    }
    self.chunkSize = chunkSize
    self.layers = layers
    states = layers.map { _ in EMAState() }
  }

  /// Forgets the carried states: the next segment starts a new block.
  public func reset() {
    for state in states { state.reset() }
    partial = nil
  }

  /// Accepts a segment of `length` tokens: throws if the previous segment was not a multiple of
  /// the chunk (its chunks would not line up with this one's), else records whether this one is.
  func begin(length: Int) throws {
    if let partial {
      throw ModelInputError.shape(
        field: "src_tokens",
        "a segment after one of \(partial) tokens, not a multiple of the chunk \(chunkSize)"
          + " (only a block's last segment may be shorter)")
    }
    if length % chunkSize != 0 { partial = length }
  }

  /// Layer `index` on the next segment `x` (`[L, B, E]`) of the block.
  func forward(layer index: Int, _ x: Tensor, paddingMask: [Bool]?, _ ctx: ForwardContext) throws
    -> Tensor
  {
    try layers[index](
      x, paddingMask: paddingMask, chunkSize: chunkSize, emaState: states[index], ctx)
  }
}
