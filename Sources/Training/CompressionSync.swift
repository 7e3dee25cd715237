import Distributed
import Layers
import Models

/// SeqBoat's per-layer compression decision (MODEL.md §4.5, §4.8) taken over the global
/// micro-batch: a layer compresses iff no sequence on any rank reaches the unit's density threshold
/// (every position active with a window; 90 % in the global mode). Each rank contributes "some
/// sequence here is dense" to an all-reduce (max), so the result does
/// not depend on how the micro-batch is split. Ranks pad their rows to the global micro-batch's
/// longest row, so every rank compares against the same length. While `global` is off (evaluation,
/// where ranks hold different batches) each rank decides alone.
public final class CompressionSync {
  /// Whether decisions are taken across ranks (training) or locally (evaluation).
  public var global = true
  private let communicator: Communicator

  /// Installs the decision on every SeqBoat unit of `model`.
  public init(model: Model, communicator: Communicator) {
    self.communicator = communicator
    model.setCompressionDecision { [unowned self] maxActive, length, threshold in
      self.decide(maxActive: maxActive, length: length, threshold: threshold)
    }
  }

  private func decide(maxActive: Int, length: Int, threshold: Double) -> Bool {
    let local = localCompressionDecision(maxActive, length, threshold)
    guard global, communicator.size > 1 else { return local }
    var fullyActive: [Double] = [local ? 0 : 1]
    do {
      try communicator.allReduce(&fullyActive, .max)
    } catch {
      communicator.abort("SeqBoat compression decision: \(error)")
    }
    return fullyActive[0] == 0
  }
}
