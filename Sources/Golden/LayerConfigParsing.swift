import Layers
import Tensor

extension GoldenConfig {
  /// An activation by fairseq name.
  func activation(_ key: String) throws -> Activation { try choice(key) { Activation(name: $0) } }

  /// A `SequenceNorm` type.
  func normType(_ key: String) throws -> NormType { try choice(key) { NormType(rawValue: $0) } }

  /// An attention function.
  func attentionFunction(_ key: String) throws -> AttentionFunction {
    try choice(key) { AttentionFunction(rawValue: $0) }
  }

  /// A relative position bias type.
  func relativePosition(_ key: String) throws -> RelativePositionKind {
    try choice(key) { RelativePositionKind(rawValue: $0) }
  }

  /// A dropout probability; in train mode only 0 can be compared with a reference.
  func dropout(_ key: String, training: Bool) throws -> Float {
    guard has(key) else { return 0 }
    let p = try double(key)
    if training && p > 0 {
      throw GoldenError.unsupported("config \(key) = \(p) in train mode (random masks)")
    }
    return Float(p)
  }

  /// The optional boolean `key` must be false (or absent): the engine has no such option.
  func requireOff(_ key: String) throws {
    if has(key), try bool(key) { throw GoldenError.unsupported("config \(key) = true") }
  }
}
