import Layers
import Tensor

/// One layer of a model's stack (Mega or SeqBoat, encoder or decoder): `[L, B, E]` → `[L, B, E]`.
public protocol SequenceLayer: Module {
  /// The layer on `x` with `paddingMask` (`[B, L]`, true = padding) in `ctx`.
  func forward(_ x: Tensor, paddingMask: [Bool]?, _ ctx: ForwardContext) throws -> Tensor
}
