import Layers
import Tensor

/// One layer of a model's stack (Mega or SeqBoat, encoder or decoder): `[L, B, E]` → `[L, B, E]`.
public protocol SequenceLayer: Module {
  /// The layer on `x` with `paddingMask` (`[B, L]`, true = padding) in `ctx`.
  func forward(_ x: Tensor, paddingMask: [Bool]?, _ ctx: ForwardContext) throws -> Tensor
  /// The layer reading consecutive segments of long sequences with attention chunks of
  /// `chunkSize` and its state carried from one segment to the next (evaluation only, MODEL.md
  /// §2.6); nil when this kind of layer carries no state across segments; throws when
  /// `chunkSize` does not suit the layer.
  func segmentReader(chunkSize: Int) throws -> SegmentReader?
}

/// One layer's reading of consecutive segments: the layer on the next segment with the state it
/// carries, and that state.
public struct SegmentReader {
  /// The layer on the next segment `x` (`[S, B, E]`) with `paddingMask` in `ctx`.
  let forward: (_ x: Tensor, _ paddingMask: [Bool]?, _ ctx: ForwardContext) throws -> Tensor
  /// The state carried from one segment to the next.
  let state: EMAState
}
