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
}
