import Tensor
import XCTest

/// `Parallelism` and its `WorkerPool`: every item runs exactly once, on the threads asked for,
/// whatever the item count, through many jobs in a row, and a parallel loop started from inside
/// another one runs on its caller instead of waiting for itself.
final class ParallelismTests: XCTestCase {
  func testEveryItemRunsOnceForAnyCount() {
    for threads in [1, 2, 3] {
      let parallelism = Parallelism(threads: threads)
      for count in 0..<40 {
        var hits = [Int](repeating: 0, count: count)
        hits.withUnsafeMutableBufferPointer { h in
          parallelism.forEach(count) { i, worker in
            XCTAssert(worker < threads)
            h[i] += 1
          }
        }
        XCTAssertEqual(
          hits, [Int](repeating: 1, count: count), "threads \(threads), count \(count)")
      }
    }
  }

  func testSplitRangesCoverTheItemsInOrder() {
    let parallelism = Parallelism(threads: 3)
    for (count, grain) in [(0, 1), (5, 1), (100, 1), (100, 40), (100_000, 1 << 14)] {
      var ranges = [Range<Int>?](repeating: nil, count: 3)
      ranges.withUnsafeMutableBufferPointer { r in
        parallelism.forEachSplit(count, grain: grain) { range, worker in r[worker] = range }
      }
      let used = ranges.compactMap { $0 }
      XCTAssertEqual(used.first?.lowerBound ?? 0, 0)
      XCTAssertEqual(used.last?.upperBound ?? 0, count)
      for (a, b) in zip(used, used.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
      XCTAssertLessThanOrEqual(used.count, max(1, count / grain))
    }
  }

  func testManyJobsInARowAndAfterTheWorkersSleep() {
    let parallelism = Parallelism(threads: 2)
    var total = [Int](repeating: 0, count: 2)
    for round in 0..<20_000 {
      if round % 5000 == 0 { usleep(2000) }  // longer than the spin: the workers sleep
      total.withUnsafeMutableBufferPointer { t in
        parallelism.forEach(2) { i, _ in t[i] += i + 1 }
      }
    }
    XCTAssertEqual(total, [20_000, 40_000])
  }

  func testNestedLoopRunsOnItsCaller() {
    let parallelism = Parallelism(threads: 2)
    var cells = [Int](repeating: 0, count: 2 * 8)
    cells.withUnsafeMutableBufferPointer { c in
      parallelism.forEach(2) { outer, _ in
        parallelism.forEach(8) { inner, _ in c[outer * 8 + inner] += 1 }
      }
    }
    XCTAssertEqual(cells, [Int](repeating: 1, count: 16))
  }
}
