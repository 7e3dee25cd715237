import Tensor
import XCTest

final class CollectiveTests: XCTestCase {
  func testSingleProcessSumIsTheValueItself() {
    let c: Collective = SingleProcess()
    var v: [Double] = [1.5, -2, 3e10]
    c.allreduceSum(&v)
    XCTAssertEqual(v, [1.5, -2, 3e10])
  }
}
