import Distributed
import XCTest

/// The slice arithmetic of sharded optimizer state: slices tile the flattened parameters, differ
/// in length by at most one, and their pieces cut through parameters where the slices do.
final class ShardLayoutTests: XCTestCase {
  func testSlicesTileTheParametersUnevenly() {
    let sizes = [5, 0, 1, 9, 8, 3]
    for ranks in 1...30 {
      let layout = ShardLayout(sizes: sizes, ranks: ranks)
      XCTAssertEqual(layout.total, 26)
      XCTAssertEqual(layout.counts.reduce(0, +), 26, "\(ranks) ranks")
      XCTAssertLessThanOrEqual(
        layout.counts.max()! - layout.counts.min()!, 1, "\(ranks) ranks: \(layout.counts)")
      var covered: [[Int]] = sizes.map { [Int](repeating: 0, count: $0) }
      var next = 0
      for r in 0..<ranks {
        XCTAssertEqual(layout.start(r), next, "start of rank \(r) of \(ranks)")
        next += layout.count(r)
        let pieces = layout.pieces(r)
        XCTAssertEqual(pieces.reduce(0) { $0 + $1.count }, layout.count(r))
        for piece in pieces {
          XCTAssertGreaterThan(piece.count, 0)
          for e in piece.offset..<piece.offset + piece.count { covered[piece.parameter][e] += 1 }
        }
      }
      XCTAssertEqual(covered, sizes.map { [Int](repeating: 1, count: $0) }, "\(ranks) ranks")
    }
  }

  func testPiecesCutThroughAParameter() {
    let layout = ShardLayout(sizes: [5, 1, 9, 8], ranks: 3)
    XCTAssertEqual(layout.counts, [8, 8, 7])
    XCTAssertEqual(
      layout.pieces(0),
      [
        .init(parameter: 0, offset: 0, count: 5), .init(parameter: 1, offset: 0, count: 1),
        .init(parameter: 2, offset: 0, count: 2),
      ])
    XCTAssertEqual(
      layout.pieces(1),
      [.init(parameter: 2, offset: 2, count: 7), .init(parameter: 3, offset: 0, count: 1)])
    XCTAssertEqual(layout.pieces(2), [.init(parameter: 3, offset: 1, count: 7)])
  }

  func testPiecesOfAFlatRangeSkipEmptyParameters() {
    let layout = ShardLayout(sizes: [5, 0, 1, 9], ranks: 2)
    XCTAssertEqual(
      layout.pieces(in: 3..<8),
      [
        .init(parameter: 0, offset: 3, count: 2), .init(parameter: 2, offset: 0, count: 1),
        .init(parameter: 3, offset: 0, count: 2),
      ])
    XCTAssertEqual(layout.pieces(in: 6..<15), [.init(parameter: 3, offset: 0, count: 9)])
    XCTAssertEqual(layout.pieces(in: 4..<4), [])
  }
}
