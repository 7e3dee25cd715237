import Tensor

/// An optimizer that keeps state for one contiguous slice of the flattened parameters only, as
/// each rank does under sharded optimizer state (ZeRO stage 1, fairseq's `--zero-sharding os`).
///
/// The slice is a list of pieces, ranges of named parameters back to back. Each piece is stepped
/// by the wrapped optimizer as a parameter of its own under the parameter's name, so the update
/// rule is the wrapped optimizer's, element by element: the slices of all ranks together update
/// every value exactly as the wrapped optimizer on whole parameters would. The pieces of one
/// parameter share its step count, because whether a parameter takes part in an update is decided
/// for the whole parameter (`hasGradient`).
public final class ShardedOptimizer {
  /// A range of one parameter's values within the slice.
  public struct Piece: Equatable {
    /// The parameter's name (the optimizer state's key).
    public var name: String
    /// Element count of the whole parameter.
    public var size: Int
    /// First element of the range within the parameter.
    public var offset: Int
    /// Elements in the range.
    public var count: Int

    /// A piece of `count` values from `offset` of the parameter `name` of `size` values.
    public init(name: String, size: Int, offset: Int, count: Int) {
      self.name = name
      self.size = size
      self.offset = offset
      self.count = count
    }
  }

  /// The slice's state in slice order, as it travels to the rank that consolidates it.
  public struct Packed: Equatable {
    /// Step count of every piece (0: never updated).
    public var steps: [Int64]
    /// First moments of the slice (zeros for pieces never updated).
    public var expAvg: [Float]
    /// Second moments of the slice.
    public var expAvgSq: [Float]

    /// Packed state with the given steps and moments.
    public init(steps: [Int64], expAvg: [Float], expAvgSq: [Float]) {
      self.steps = steps
      self.expAvg = expAvg
      self.expAvgSq = expAvgSq
    }
  }

  /// The optimizer applied to the pieces (its `state` holds one entry per piece).
  public let inner: Optimizer
  /// The slice, in flat order.
  public let pieces: [Piece]
  /// Elements in the slice.
  public let count: Int

  /// `inner` over the slice made of `pieces`.
  public init(_ inner: Optimizer, pieces: [Piece]) {
    self.inner = inner
    self.pieces = pieces
    count = pieces.reduce(0) { $0 + $1.count }
  }

  /// One update of the slice with learning rate `lr`: `values` are its current parameter values,
  /// `gradient` its gradient, `hasGradient` (one flag per piece) whether its parameter takes part.
  /// Returns the new values. `values` and `gradient` are released once split into the pieces (a
  /// caller that passes its last reference does not hold them through the step).
  public func step(
    values: consuming [Float], gradient: consuming [Float], hasGradient: [Bool], lr: Double
  ) throws -> [Float] {
    guard values.count == count, gradient.count == count, hasGradient.count == pieces.count else {
      throw OptimError.stateSize(name: "(slice)", expected: count, got: values.count)
    }
    var offset = 0
    let tensors = pieces.indices.map { k -> (name: String, tensor: Tensor) in
      let range = offset..<offset + pieces[k].count
      offset = range.upperBound
      let t = Tensor(shape: [range.count], data: Array(values[range]))
      if hasGradient[k] { t.grad = Array(gradient[range]) }
      return (pieces[k].name, t)
    }
    _ = consume values
    _ = consume gradient
    try inner.step(tensors, lr: lr)
    var updated: [Float] = []
    updated.reserveCapacity(count)
    for (_, t) in tensors {
      updated += t.data
      t.grad = nil
    }
    return updated
  }

  /// The slice's state (`Packed`).
  public func packed() -> Packed {
    var result = Packed(steps: [], expAvg: [], expAvgSq: [])
    result.expAvg.reserveCapacity(count)
    result.expAvgSq.reserveCapacity(count)
    for piece in pieces {
      let s = inner.state[piece.name] ?? MomentState(count: piece.count)
      result.steps.append(Int64(s.step))
      result.expAvg += s.expAvg
      result.expAvgSq += s.expAvgSq
    }
    return result
  }

  /// Copies the packed state of a slice made of `pieces` into whole-parameter state `full`
  /// (creating zero entries as needed). Pieces never updated are left out, as an unsharded
  /// optimizer has no state for a parameter it never updated.
  public static func unpack(
    _ packed: Packed, pieces: [Piece], into full: inout [String: MomentState]
  ) {
    var offset = 0
    for (k, piece) in pieces.enumerated() {
      defer { offset += piece.count }
      guard packed.steps[k] > 0 else { continue }
      var s = full.removeValue(forKey: piece.name) ?? MomentState(count: piece.size)
      s.step = Int(packed.steps[k])
      let source = offset..<offset + piece.count
      let target = piece.offset..<piece.offset + piece.count
      s.expAvg.replaceSubrange(target, with: packed.expAvg[source])
      s.expAvgSq.replaceSubrange(target, with: packed.expAvgSq[source])
      full[piece.name] = s
    }
  }

  /// Takes the slice's state from whole-parameter state `full` (a checkpoint's, whatever layout
  /// and world size saved it); parameters absent from `full` start fresh. Throws when an entry's
  /// size does not match its parameter.
  public func restore(_ full: [String: MomentState]) throws {
    var state: [String: MomentState] = [:]
    for piece in pieces {
      guard let m = full[piece.name] else { continue }
      guard m.expAvg.count == piece.size, m.expAvgSq.count == piece.size else {
        throw OptimError.stateSize(name: piece.name, expected: piece.size, got: m.expAvg.count)
      }
      let range = piece.offset..<piece.offset + piece.count
      state[piece.name] = MomentState(
        step: m.step, expAvg: Array(m.expAvg[range]), expAvgSq: Array(m.expAvgSq[range]))
    }
    inner.state = state
  }
}
