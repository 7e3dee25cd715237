import Golden
import XCTest

/// Golden `config` values keep their JSON types: 0 and 1 are integers, never booleans (Foundation's
/// `JSONSerialization` mixes them up on Linux, which made `decoder_ffn_embed_dim: 0` unreadable).
final class GoldenConfigTests: XCTestCase {
  func testIntegersAndBooleansStayApart() throws {
    let c = try GoldenConfig(json: #"{"zero": 0, "one": 1, "yes": true, "x": 2.5, "n": null}"#)
    XCTAssertEqual(try c.int("zero"), 0)
    XCTAssertEqual(try c.int("one"), 1)
    XCTAssertEqual(try c.bool("yes"), true)
    XCTAssertEqual(try c.double("x"), 2.5)
    XCTAssertNil(try c.optionalInt("n"))
    XCTAssertThrowsError(try c.bool("one"))
    XCTAssertThrowsError(try c.int("yes"))
    XCTAssertThrowsError(try c.int("x"))
    XCTAssertThrowsError(try GoldenConfig(json: "[1, 2]"))
    XCTAssertThrowsError(try GoldenConfig(json: #"{"a": [1, 2}"#))
  }
}
