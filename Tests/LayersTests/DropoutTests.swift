import Tensor
import XCTest

@testable import Layers

final class DropoutTests: XCTestCase {
  /// The scales of elements `0..<n` of `draw`.
  private func mask(_ draw: DropoutDraw, _ n: Int) -> [Float] { (0..<n).map(draw.scale) }

  func testEvalIsIdentityAndTrainScalesKeptElements() {
    let x = Tensor(shape: [1000], data: .init(repeating: 1, count: 1000), requiresGrad: true)
    let dropout = Dropout(0.25, site: 3)
    XCTAssertTrue(dropout(x, .timeMajor, .evaluation()) === x)
    let y = dropout(x, .timeMajor, ForwardContext(training: true, dropoutKey: 5))
    let kept = y.data.filter { $0 != 0 }
    XCTAssertTrue(kept.allSatisfy { abs($0 - 4 / 3) < 1e-6 })
    XCTAssertEqual(Double(kept.count) / 1000, 0.75, accuracy: 0.05)
    y.sum().backward()
    XCTAssertEqual(x.grad!, y.data)
  }

  func testZeroProbabilityIsIdentityInTrainMode() {
    let x = Tensor(shape: [3], data: [1, 2, 3])
    XCTAssertTrue(Dropout(0, site: 1)(x, .timeMajor, ForwardContext(training: true)) === x)
  }

  /// Masks follow the context's key, the site and the number of masks that site has drawn: two
  /// contexts with one key give the same sequence of masks; another key, another site or a later
  /// draw give other masks; a site's masks do not depend on other sites' draws.
  func testMasksFollowKeySiteAndDrawOrder() {
    let ones = Tensor(shape: [4000], data: .init(repeating: 1, count: 4000))
    func masks(key: UInt64, sites: [UInt64]) -> [[Float]] {
      let ctx = ForwardContext(training: true, dropoutKey: key)
      return sites.map { Dropout(0.3, site: $0)(ones, .timeMajor, ctx).data }
    }
    let a = masks(key: 7, sites: [1, 1, 2])
    XCTAssertEqual(a, masks(key: 7, sites: [1, 1, 2]), "same key, same masks")
    XCTAssertNotEqual(a[0], a[1], "a second draw of one site differs")
    XCTAssertNotEqual(masks(key: 8, sites: [1])[0], a[0], "another key differs")
    XCTAssertNotEqual(masks(key: 7, sites: [2])[0], a[0], "another site differs")
    XCTAssertEqual(masks(key: 7, sites: [2])[0], a[2], "site 2 ignores site 1's draws")
    let draw = ForwardContext(training: true, dropoutKey: 7).dropoutDraw(
      p: 0.3, site: 1, layout: .timeMajor, count: 4000, width: 4000)!
    XCTAssertEqual(mask(draw, 4000), a[0], "the layer applies the context's draw")
  }

  /// Over 2²⁰ elements the drop rate is p within 5σ, neighbours are dropped independently (pairs
  /// at rate p²), and the masks of two keys whose upper halves differ by one bit agree as often as
  /// independent masks would at shifts 0, 1, 2 (neither equal nor shifted copies); every scale is
  /// 0 or 1/(1−p).
  func testDrawIsUniformAndIndependent() {
    let n = 1 << 20
    for p: Float in [0.1, 0.5] {
      let key: UInt64 = 0x1234_5678_9ABC_DEF0
      let drawn = mask(DropoutDraw(p: p, key: key), n)
      let dropped = drawn.map { $0 == 0 }
      let sigma = (Double(p) * Double(1 - p) / Double(n)).squareRoot()
      let rate = Double(dropped.filter { $0 }.count) / Double(n)
      XCTAssertEqual(rate, Double(p), accuracy: 5 * sigma)
      let pairs = Double((1..<n).filter { dropped[$0] && dropped[$0 - 1] }.count) / Double(n - 1)
      XCTAssertEqual(pairs, Double(p * p), accuracy: 5 * sigma)
      let agree = Double(p * p + (1 - p) * (1 - p))
      let second = mask(DropoutDraw(p: p, key: key ^ (1 << 32)), n + 2)
      for shift in 0...2 {
        let same = (0..<n).filter { (second[$0 + shift] == 0) == dropped[$0] }.count
        XCTAssertEqual(Double(same) / Double(n), agree, accuracy: 10 * sigma)
      }
      XCTAssertTrue(drawn.allSatisfy { $0 == 0 || $0 == 1 / (1 - p) })
    }
  }
}
