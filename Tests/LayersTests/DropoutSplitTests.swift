import Tensor
import XCTest

@testable import Layers

/// Dropout masks follow the global example, so a batch split over ranks draws, row for row, the
/// masks one process draws for the whole batch (issue: dropout independent of the world size).
final class DropoutSplitTests: XCTestCase {
  private let (len, batch, width) = (5, 6, 7)

  /// The mask one process draws for `[count]` elements laid out as `layout`, and the masks of the
  /// shares `0..<2`, `2..<3`, `3..<6` of the batch, drawn by contexts that know their span.
  private func masks(
    _ layout: (_ rows: Int) -> DropoutLayout, count: (_ rows: Int) -> Int, width: Int
  ) -> (whole: [Float], shares: [[Float]]) {
    func mask(_ span: ExampleSpan?, rows: Int) -> [Float] {
      let ctx = ForwardContext(training: true, dropoutKey: 99, examples: span)
      let n = count(rows)
      let draw = Dropout(0.4, site: 3).draw(ctx, layout(rows), count: n, width: width)!
      return (0..<n).map(draw.scale)
    }
    let shares = [(0, 2), (2, 1), (3, 3)].map { first, rows in
      mask(ExampleSpan(first: first, count: rows, total: batch), rows: rows)
    }
    return (mask(nil, rows: batch), shares)
  }

  func testTimeMajorSharesDrawTheWholeBatchsMask() {
    let (whole, shares) = masks(
      { _ in .timeMajor }, count: { self.len * $0 * self.width }, width: width)
    for (s, (first, rows)) in [(0, 2), (2, 1), (3, 3)].enumerated() {
      for t in 0..<len {
        for b in 0..<rows {
          let mine = Array(shares[s][((t * rows + b) * width)..<((t * rows + b + 1) * width)])
          let global = (t * batch + first + b) * width
          XCTAssertEqual(mine, Array(whole[global..<(global + width)]), "t \(t) b \(first + b)")
        }
      }
    }
    XCTAssertTrue(whole.contains(0) && whole.contains { $0 != 0 })
  }

  func testExampleMajorSharesDrawTheWholeBatchsMask() {
    let size = len * width
    let (whole, shares) = masks(
      { _ in .exampleMajor(virtualSize: nil) }, count: { size * $0 }, width: width)
    XCTAssertEqual(shares.flatMap { $0 }, whole)
  }

  /// Examples of a size that depends on the share (SeqBoat's slots): with a virtual size, the
  /// first `n` slots of an example get the same mask whatever n is.
  func testVirtualSizeMakesMasksIndependentOfTheShareSize() {
    func slots(_ n: Int, _ span: ExampleSpan) -> [Float] {
      let ctx = ForwardContext(training: true, dropoutKey: 4, examples: span)
      let count = span.count * n * width
      let draw = Dropout(0.5, site: 9).draw(
        ctx, .exampleMajor(virtualSize: len * width), count: count, width: width)!
      return (0..<count).map(draw.scale)
    }
    let few = slots(2, ExampleSpan(first: 1, count: 2, total: 4))
    let many = slots(4, ExampleSpan(first: 1, count: 2, total: 4))
    for b in 0..<2 {
      XCTAssertEqual(
        Array(few[(b * 2 * width)..<((b * 2 + 2) * width)]),
        Array(many[(b * 4 * width)..<((b * 4 + 2) * width)]))
    }
  }

  /// Gathered rows of an example-major `[B·R, W]` tensor keep the masks of the rows they came from.
  func testGatheredRowsKeepTheirRowsMasks() {
    let perExample = 3
    let rows = [0, 4, 5, 8]
    let span = ExampleSpan(first: 2, count: 3, total: 6)
    let ctx = ForwardContext(training: true, dropoutKey: 12, examples: span)
    let gathered = Dropout(0.5, site: 2).draw(
      ctx, .gatheredRows(rows, rowsPerExample: perExample), count: rows.count * width,
      width: width)!
    let whole = Dropout(0.5, site: 2).draw(
      ForwardContext(training: true, dropoutKey: 12), .exampleMajor(virtualSize: nil),
      count: 6 * perExample * width, width: width)!
    for (k, r) in rows.enumerated() {
      for c in 0..<width {
        XCTAssertEqual(gathered.scale(k * width + c), whole.scale((2 * perExample + r) * width + c))
      }
    }
  }

  /// `apply(to:first:count:)` on a mapped draw equals element-wise `scale` over any run.
  func testApplyEqualsScaleUnderAMap() {
    let span = ExampleSpan(first: 1, count: 2, total: 3)
    let ctx = ForwardContext(training: true, dropoutKey: 3, examples: span)
    let n = len * 2 * width
    let draw = Dropout(0.3, site: 1).draw(ctx, .timeMajor, count: n, width: width)!
    for (first, count) in [(0, n), (3, 11), (width - 1, 2 * width + 3)] {
      var values = [Float](repeating: 1, count: count)
      values.withUnsafeMutableBufferPointer {
        draw.apply(to: $0.baseAddress!, first: first, count: count)
      }
      XCTAssertEqual(values, (first..<(first + count)).map(draw.scale))
    }
  }
}
