import Layers
import Tensor

/// A language model reading one long block in consecutive segments, as Mega's own evaluation
/// does (MODEL.md §2.6, §5.9): the attention chunk is `chunkSize` whatever the model was trained
/// with, attention stays within chunks, and every layer carries its state (Mega: the EMA, with an
/// untruncated kernel) from one segment to the next. Evaluation only (no gradients); segments
/// other than the last must be multiples of the chunk. Built by `Model.segmentStream(chunkSize:)`.
public final class SegmentStream {
  /// The attention chunk used while streaming.
  public let chunkSize: Int
  private let model: LanguageModel
  private let readers: [SegmentReader]
  /// The length of the last segment when it was not a multiple of the chunk (the block ended).
  private var partial: Int?

  /// A fresh stream over `model`'s layers, nil unless every layer carries state across
  /// segments; throws unless `chunkSize` is > 0 and suits every layer.
  init?(_ model: LanguageModel, chunkSize: Int) throws {
    guard chunkSize > 0 else {
      throw ModelConfigError.badArgument("decoder_chunk_size", "\(chunkSize) must be > 0")
    }
    var readers: [SegmentReader] = []
    for layer in model.layers {
      guard let reader = try layer.segmentReader(chunkSize: chunkSize) else { return nil }
      readers.append(reader)
    }
    self.chunkSize = chunkSize
    self.model = model
    self.readers = readers
  }

  /// Forgets the carried states: the next segment starts a new block.
  public func reset() {
    for reader in readers { reader.state.reset() }
    partial = nil
  }

  /// Summed NLL (nats) of the next segment `tokens` of the blocks (`[B, S]` row-major) over the
  /// targets that are not padding, and their count.
  public func loss(tokens: [Int], targets: [Int], batch: Int, _ ctx: ForwardContext) throws -> (
    loss: Tensor, tokens: Int
  ) {
    try model.loss(tokens: tokens, targets: targets, batch: batch, stream: self, ctx)
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
    try readers[index].forward(x, paddingMask, ctx)
  }
}
