import Optim
import XCTest

/// fairseq's `--adam-betas` string, as stored in the golden trajectory configs.
final class AdamBetasTests: XCTestCase {
  func testParsesFairseqForms() throws {
    for text in ["(0.9, 0.98)", "(0.9,0.98)", "0.9,0.98", " [0.9 , 0.98] "] {
      let b = try parseAdamBetas(text)
      XCTAssertEqual(b.0, 0.9, text)
      XCTAssertEqual(b.1, 0.98, text)
    }
  }

  func testRejectsOtherText() {
    for text in ["(0.9)", "(0.9, 0.98, 0.5)", "a,b", "(1.2, 0.9)", "", "(0.9, )"] {
      XCTAssertThrowsError(try parseAdamBetas(text), text) {
        XCTAssertEqual(
          "\($0)", "adam betas '\(text)' is not a pair of numbers such as \"(0.9, 0.98)\"")
      }
    }
  }
}
