import Layers
import Tensor

/// One layer of a model's stack (Mega or SeqBoat, encoder or decoder): `[L, B, E]` → `[L, B, E]`.
public protocol SequenceLayer: Module {
  /// Train or eval mode.
  var training: Bool { get set }
  /// The router's record of the last call (SeqBoat), nil for Mega layers.
  var router: RouterRecord? { get }
  /// The layer on `x` with `paddingMask` (`[B, L]`, true = padding).
  func forward(_ x: Tensor, paddingMask: [Bool]?) -> Tensor
}
