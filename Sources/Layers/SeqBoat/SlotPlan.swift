/// Where each token of a SeqBoat layer goes for the local attention (MODEL.md §4.5, §4.8).
///
/// Compressed: the active tokens of each sequence, in order, fill slots `0 ..< count_b`; slots up to
/// the batch maximum `n` are empty. Uncompressed (some sequence is fully active): every sequence
/// keeps its L positions as slots and only active tokens are valid keys and queries.
public struct SlotPlan: Sendable {
  /// Sequence length L of the layer input.
  public let length: Int
  /// Batch size B.
  public let batch: Int
  /// Slots per sequence (n); at least 1.
  public let slots: Int
  /// Whether the active tokens were compressed into slots.
  public let compressed: Bool
  /// Slot of each token (time-major `t·B + b`), or -1 when the token is inactive.
  public let slotOfToken: [Int]
  /// Whether slot `b·n + s` holds an active token.
  public let valid: [Bool]
  /// Original 1-based position of the token in slot `b·n + s`; 0 for an empty slot.
  public let position: [Int]

  /// The plan for `decision`; `compress` is the batch-global decision (`CompressionDecision`).
  /// Compressed, each sequence gets as many slots as this call's longest activated sequence.
  public init(decision: RouterDecision, compress: Bool) {
    length = decision.length
    batch = decision.batch
    compressed = compress
    let localMax = decision.maxActiveCount
    slots = compressed ? max(localMax, 1) : length
    var slotOfToken = [Int](repeating: -1, count: length * batch)
    var valid = [Bool](repeating: false, count: batch * slots)
    var position = [Int](repeating: 0, count: batch * slots)
    for b in 0..<batch {
      var next = 0
      for t in 0..<length {
        let i = t * batch + b
        if compressed {
          guard decision.active[i] else { continue }
          slotOfToken[i] = next
          valid[b * slots + next] = true
          position[b * slots + next] = t + 1
          next += 1
        } else {
          position[b * slots + t] = t + 1
          if decision.active[i] {
            slotOfToken[i] = t
            valid[b * slots + t] = true
          }
        }
      }
    }
    self.slotOfToken = slotOfToken
    self.valid = valid
    self.position = position
  }

  /// Whether any token of this call has a slot.
  public var anyActive: Bool { slotOfToken.contains { $0 >= 0 } }
}

/// The compression decision of one SeqBoat layer (MODEL.md §4.8): given the largest active count
/// of this call's sequences and this call's padded length, whether to compress. A data-parallel
/// trainer replaces it by one that takes the maximum of both over the ranks of the micro-batch.
public typealias CompressionDecision = (_ maxActive: Int, _ length: Int) -> Bool

/// The single-process decision: compress iff no sequence is fully active.
public let localCompressionDecision: CompressionDecision = { maxActive, length in maxActive < length
}
