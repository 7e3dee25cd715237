import Tensor
import XCTest

#if canImport(Glibc)
  import Glibc
#endif

final class FFTTests: XCTestCase {
  func testMatchesTheDefinitionAndInverts() {
    var rng = SplitMix64(seed: 1)
    for n in [1, 2, 4, 8, 16, 64, 128, 512] {
      let x = (0..<n).map { _ in Float(rng.normal()) }
      let y = (0..<n).map { _ in Float(rng.normal()) }
      var re = x
      var im = y
      let plan = FFTPlan(size: n)
      re.withUnsafeMutableBufferPointer { r in
        im.withUnsafeMutableBufferPointer { i in
          plan.transform(r.baseAddress!, i.baseAddress!, inverse: false)
        }
      }
      for k in 0..<n {
        var sr = 0.0
        var si = 0.0
        for j in 0..<n {
          let a = -2 * Double.pi * Double(j * k) / Double(n)
          sr += Double(x[j]) * cos(a) - Double(y[j]) * sin(a)
          si += Double(x[j]) * sin(a) + Double(y[j]) * cos(a)
        }
        XCTAssertEqual(Double(re[k]), sr, accuracy: 1e-4 * Double(n))
        XCTAssertEqual(Double(im[k]), si, accuracy: 1e-4 * Double(n))
      }
      re.withUnsafeMutableBufferPointer { r in
        im.withUnsafeMutableBufferPointer { i in
          plan.transform(r.baseAddress!, i.baseAddress!, inverse: true)
        }
      }
      for j in 0..<n {
        XCTAssertEqual(re[j], x[j], accuracy: 1e-5)
        XCTAssertEqual(im[j], y[j], accuracy: 1e-5)
      }
    }
    XCTAssertEqual(FFTPlan.size(atLeast: 17), 32)
    XCTAssertEqual(FFTPlan.size(atLeast: 16), 16)
  }

  func testBitReversedForwardAndInverseRoundTrip() {
    var rng = SplitMix64(seed: 2)
    for n in [1, 2, 4, 8, 16, 32, 64, 256, 1024] {
      let x = (0..<n).map { _ in Float(rng.normal()) }
      let y = (0..<n).map { _ in Float(rng.normal()) }
      let plan = FFTPlan(size: n)
      var (re, im) = (x, y)
      var (nr, ni) = (x, y)
      re.withUnsafeMutableBufferPointer { r in
        im.withUnsafeMutableBufferPointer { i in
          plan.forwardBitReversed(r.baseAddress!, i.baseAddress!)
        }
      }
      nr.withUnsafeMutableBufferPointer { r in
        ni.withUnsafeMutableBufferPointer { i in
          plan.transform(r.baseAddress!, i.baseAddress!, inverse: false)
        }
      }
      let bits = n.trailingZeroBitCount
      for p in 0..<n {
        var k = 0
        for b in 0..<bits where p & (1 << b) != 0 { k |= 1 << (bits - 1 - b) }
        XCTAssertEqual(re[p], nr[k], accuracy: 1e-5 * Float(n))
        XCTAssertEqual(im[p], ni[k], accuracy: 1e-5 * Float(n))
      }
      re.withUnsafeMutableBufferPointer { r in
        im.withUnsafeMutableBufferPointer { i in
          plan.inverseFromBitReversed(r.baseAddress!, i.baseAddress!)
        }
      }
      for j in 0..<n {
        XCTAssertEqual(re[j] / Float(n), x[j], accuracy: 1e-5)
        XCTAssertEqual(im[j] / Float(n), y[j], accuracy: 1e-5)
      }
    }
  }
}
