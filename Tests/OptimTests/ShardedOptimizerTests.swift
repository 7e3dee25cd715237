import Foundation
import Optim
import Tensor
import XCTest

/// An optimizer over slices of the flattened parameters (sharded state) against the same
/// optimizer over whole parameters: identical values, moments and step counts, element by element.
final class ShardedOptimizerTests: XCTestCase {
  /// Parameter sizes whose total (23) no slice count from 2 to 5 divides.
  let sizes = [("a", 5), ("b", 1), ("c", 9), ("d", 8)]

  /// The pieces of slice `rank` of `ranks` (the first `total % ranks` slices one longer), cut
  /// independently of the layout code under test elsewhere.
  func pieces(_ rank: Int, of ranks: Int) -> [ShardedOptimizer.Piece] {
    let total = sizes.reduce(0) { $0 + $1.1 }
    let counts = (0..<ranks).map { total / ranks + ($0 < total % ranks ? 1 : 0) }
    let lower = counts[..<rank].reduce(0, +)
    let upper = lower + counts[rank]
    var result: [ShardedOptimizer.Piece] = []
    var first = 0
    for (name, n) in sizes {
      let from = max(first, lower)
      let to = min(first + n, upper)
      if from < to {
        result.append(.init(name: name, size: n, offset: from - first, count: to - from))
      }
      first += n
    }
    return result
  }

  /// Values of parameter `p` at the start, and its gradient in update `u` (nil: `b` in update 1,
  /// `d` in update 2 take no part).
  func initial(_ p: Int) -> [Float] { (0..<sizes[p].1).map { Float(sin(Double(7 * p + $0))) } }

  func gradient(_ p: Int, update u: Int) -> [Float]? {
    if (p == 1 && u == 1) || (p == 3 && u == 2) { return nil }
    return (0..<sizes[p].1).map { Float(cos(Double(11 * p + 3 * u + $0)) * 0.1) }
  }

  func assertSlicesEqualWhole(_ make: () -> Optimizer, ranks: Int) throws {
    let whole = make()
    let params = sizes.indices.map { Tensor(shape: [sizes[$0].1], data: initial($0)) }
    let named = zip(sizes, params).map { (name: $0.0.0, tensor: $0.1) }
    let shards = (0..<ranks).map { ShardedOptimizer(make(), pieces: pieces($0, of: ranks)) }
    var flat = params.flatMap(\.data)
    for u in 0..<4 {
      for (p, t) in params.enumerated() { t.grad = gradient(p, update: u) }
      try whole.step(named, lr: 0.01)
      let flatGradient = sizes.indices.flatMap {
        gradient($0, update: u) ?? [Float](repeating: 0, count: sizes[$0].1)
      }
      var start = 0
      var next = flat
      for shard in shards {
        let range = start..<start + shard.count
        let present = shard.pieces.map { piece in
          gradient(sizes.firstIndex { $0.0 == piece.name }!, update: u) != nil
        }
        let updated = try shard.step(
          values: Array(flat[range]), gradient: Array(flatGradient[range]), hasGradient: present,
          lr: 0.01)
        next.replaceSubrange(range, with: updated)
        start = range.upperBound
      }
      flat = next
      XCTAssertEqual(flat, params.flatMap(\.data), "values after update \(u + 1), \(ranks) slices")
    }
    var consolidated: [String: MomentState] = [:]
    for shard in shards {
      ShardedOptimizer.unpack(shard.packed(), pieces: shard.pieces, into: &consolidated)
    }
    XCTAssertEqual(consolidated, whole.state, "consolidated state of \(ranks) slices")

    // Restored from the whole state into another slicing, the next update still agrees.
    let other = (0..<ranks + 1).map { ShardedOptimizer(make(), pieces: pieces($0, of: ranks + 1)) }
    for shard in other { try shard.restore(whole.state) }
    for (p, t) in params.enumerated() { t.grad = gradient(p, update: 0) }
    try whole.step(named, lr: 0.02)
    var start = 0
    var next = flat
    let flatGradient = sizes.indices.flatMap { gradient($0, update: 0)! }
    for shard in other {
      let range = start..<start + shard.count
      next.replaceSubrange(
        range,
        with: try shard.step(
          values: Array(flat[range]), gradient: Array(flatGradient[range]),
          hasGradient: shard.pieces.map { _ in true }, lr: 0.02))
      start = range.upperBound
    }
    XCTAssertEqual(next, params.flatMap(\.data), "after restoring into \(ranks + 1) slices")
  }

  func testAdamSlicesEqualWholeParameters() throws {
    for ranks in 1...3 {
      try assertSlicesEqualWhole(
        { Adam(betas: (0.9, 0.98), eps: 1e-8, weightDecay: 0.01) }, ranks: ranks)
    }
  }

  func testRAdamSlicesEqualWholeParameters() throws {
    for ranks in [2, 5] {
      try assertSlicesEqualWhole(
        { RAdam(betas: (0.9, 0.98), eps: 1e-8, weightDecay: 0.01) }, ranks: ranks)
    }
  }

  func testRestoreRefusesStateOfTheWrongSize() throws {
    let shard = ShardedOptimizer(Adam(), pieces: pieces(1, of: 2))
    let bad = ["c": MomentState(count: 4)]
    XCTAssertThrowsError(try shard.restore(bad)) { error in
      XCTAssertEqual(
        "\(error)", "optimizer state of parameter 'c' has 4 values, the parameter has 9")
    }
  }
}
