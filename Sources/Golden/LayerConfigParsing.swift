import Layers
import Tensor

extension GoldenConfig {
  /// A layer width: a positive integer.
  func dimension(_ key: String) throws -> Int {
    let d = try int(key)
    guard d > 0 else { throw GoldenError.invalid("config \(key) = \(d) is not positive") }
    return d
  }

  /// An EMA truncation: null or a positive integer.
  func truncation(_ key: String) throws -> Int? {
    guard let t = try optionalInt(key) else { return nil }
    guard t > 0 else { throw GoldenError.invalid("config \(key) = \(t) is not positive") }
    return t
  }

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
    guard p >= 0 && p < 1 else { throw GoldenError.invalid("config \(key) = \(p) outside [0, 1)") }
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

extension GatedAttentionConfig {
  /// Throws for a configuration the layer cannot run on sequences of `length` (instead of stopping
  /// on a precondition): chunking, the simple bias table's radius, the rotary bias's even width.
  func validate(length: Int) throws {
    if chunkSize == 0 { throw GoldenError.invalid("config chunk size 0") }
    if chunkSize > 0 && length >= chunkSize && length % chunkSize != 0 {
      throw GoldenError.unsupported("L = \(length) is not a multiple of chunk_size \(chunkSize)")
    }
    let chunk = chunkSize < 0 || length < chunkSize ? length : chunkSize
    let radius = chunkSize > 0 ? chunkSize : maxPositions
    if relativePosition == .simple && chunk > radius {
      throw GoldenError.invalid("chunk of \(chunk) positions exceeds max_positions \(radius)")
    }
    if relativePosition == .rotary && zdim % 2 != 0 {
      throw GoldenError.invalid("rotary bias needs an even z_dim, got \(zdim)")
    }
  }
}
