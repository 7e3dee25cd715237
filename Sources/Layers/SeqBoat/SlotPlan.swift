/// Where each token of a SeqBoat layer goes for the local attention (MODEL.md §4.5, §4.8).
///
/// Compressed: the active tokens of each sequence, in order, fill slots `0 ..< count_b`; slots up to
/// the batch maximum `n` are empty. Uncompressed (some sequence is dense enough): every token keeps
/// its position as its slot and only active tokens are valid keys and queries; the inactive ones
/// still carry their values, which windowed laplace attention weighs by `laplace(0)` as the
/// reference does.
public struct SlotPlan: Sendable {
  /// Sequence length L of the layer input.
  public let length: Int
  /// Batch size B.
  public let batch: Int
  /// Slots per sequence (n); at least 1.
  public let slots: Int
  /// Whether the active tokens were compressed into slots.
  public let compressed: Bool
  /// Slot of each token (time-major `t·B + b`); -1 for an inactive token of a compressed plan.
  public let slotOfToken: [Int]
  /// Whether slot `b·n + s` holds an active token.
  public let valid: [Bool]
  /// Original 1-based position of the token in slot `b·n + s`; 0 for an empty slot.
  public let position: [Int]

  /// The plan for `decision`; `compress` is the batch-global decision.
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
          slotOfToken[i] = t
          valid[b * slots + t] = decision.active[i]
        }
      }
    }
    self.slotOfToken = slotOfToken
    self.valid = valid
    self.position = position
  }

  /// Whether any token of this call is active.
  public var anyActive: Bool { valid.contains(true) }
}

/// The compression decision of one SeqBoat layer on this rank's rows (MODEL.md §4.8; reference
/// `density < density_threshold`): compress iff the densest sequence's active fraction (its active
/// count `maxActive` over the padded `length`) is below `threshold` (1 with a window: iff no
/// sequence is fully active; 0.9 in the global mode). `SeqBoatUnit` takes it over the ranks of a
/// training pass.
public func localCompressionDecision(maxActive: Int, length: Int, threshold: Double) -> Bool {
  Double(maxActive) / Double(length) < threshold
}
