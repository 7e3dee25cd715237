import Data
import XCTest

final class EpochOrderTests: XCTestCase {
  func testPermutationIsDeterministicAndDependsOnSeedAndEpoch() {
    let a = EpochOrder.permutation(count: 1000, seed: 7, epoch: 3)
    XCTAssertEqual(a.sorted(), Array(0..<1000))
    XCTAssertEqual(a, EpochOrder.permutation(count: 1000, seed: 7, epoch: 3))
    XCTAssertNotEqual(a, EpochOrder.permutation(count: 1000, seed: 7, epoch: 4))
    XCTAssertNotEqual(a, EpochOrder.permutation(count: 1000, seed: 8, epoch: 3))
    XCTAssertNotEqual(
      a, EpochOrder.permutation(count: 1000, seed: 7, epoch: 3, purpose: .validationCarveOut))
    XCTAssertNotEqual(a, Array(0..<1000))
    XCTAssertEqual(EpochOrder.permutation(count: 0, seed: 1, epoch: 1), [])
    XCTAssertEqual(EpochOrder.permutation(count: 1, seed: 1, epoch: 1), [0])
  }

  func testShuffleIsRoughlyUniform() {
    var firstCounts = [Int](repeating: 0, count: 4)
    for epoch in 0..<4000 {
      firstCounts[EpochOrder.permutation(count: 4, seed: 1, epoch: UInt64(epoch))[0]] += 1
    }
    for count in firstCounts { XCTAssertEqual(Double(count), 1000, accuracy: 150) }
  }
}
