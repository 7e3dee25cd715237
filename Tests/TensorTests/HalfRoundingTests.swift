import Tensor
import XCTest

/// `HalfRounding` is exactly Swift's `Float(Float16(x))`.
final class HalfRoundingTests: XCTestCase {
  private func assertSame(_ x: Float, file: StaticString = #filePath, line: UInt = #line) {
    let want = Float(Float16(x))
    let got = HalfRounding.round(x)
    if want.isNaN {
      XCTAssertTrue(got.isNaN, "\(x)", file: file, line: line)
    } else {
      XCTAssertEqual(
        got.bitPattern, want.bitPattern, "\(x): \(got) vs \(want)", file: file, line: line)
    }
  }

  func testEdgeValues() {
    let tiny: Float = 0x1p-24
    var values: [Float] = [
      0, 1, 65504, 65519.996, 65520, 65536, 1e9, .infinity, .nan, .greatestFiniteMagnitude,
      .leastNonzeroMagnitude, 0x1p-14, 0x1p-14 - tiny / 2, 0x1p-14 - tiny / 4, tiny, tiny / 2,
      tiny * 0.5000001, tiny * 1.5, tiny * 2.5, tiny * 3.5, 1 + 0x1p-11, 1 + 3 * 0x1p-11,
      1 + 0x1p-11 + 0x1p-20, 2047.5, 2048.5, 4095, 4097, 0x1.ffcp15, 0x1.ffep15,
    ]
    values += values.map { -$0 }
    values.append(Float(bitPattern: 0x7F80_0001))  // a NaN whose payload sits in the low bits
    for x in values { assertSame(x) }
    XCTAssertEqual(HalfRounding.round(65520), .infinity)
    XCTAssertEqual(HalfRounding.round(65519.996), 65504)
    XCTAssertEqual(HalfRounding.round(tiny / 2), 0, "a tie at half the smallest subnormal: even")
    XCTAssertEqual(HalfRounding.round(-tiny / 2).sign, .minus)
  }

  func testSweepOfBitPatterns() {
    var bits: UInt32 = 0
    repeat {
      assertSame(Float(bitPattern: bits))
      bits &+= 4093
    } while bits >= 4093
  }

  func testBufferFormMatchesTheScalarOneAtEveryLength() {
    var rng = SplitMix64(seed: 5)
    for n in [0, 1, 3, 4, 5, 17, 1000] {
      let values = (0..<n).map { _ in Float(rng.normal()) * 3e4 }
      var rounded = values
      HalfRounding.round(&rounded)
      XCTAssertEqual(rounded, values.map { Float(Float16($0)) }, "length \(n)")
    }
  }
}
