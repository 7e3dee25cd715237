import Fairseq
import Foundation
import Pickle
import XCTest

/// The unpickler and both torch formats on real files (`views*.pt`, written by torch; see
/// tools/fairseq/make_view_fixture.py) and on hand-made pickles.
final class TorchFileTests: XCTestCase {
  private func load(_ name: String) throws -> TorchFile {
    let data = try Data(contentsOf: URL(fileURLWithPath: FairseqFixtures.path(name)))
    return try TorchFile(bytes: [UInt8](data))
  }

  func testViewsAreRebuiltWithOffsetShapeAndStrideInBothFormats() throws {
    for name in ["views.pt", "views.legacy.pt"] {
      let file = try load(name)
      let tensors = try XCTUnwrap(file.root.dict?["tensors"]?.dict, name)
      func tensor(_ key: String) throws -> TorchTensor {
        try file.tensor(try XCTUnwrap(tensors[key], "\(name) \(key)"), field: key)
      }
      let matrix = try tensor("matrix")
      XCTAssertEqual(matrix.shape, [3, 4])
      XCTAssertEqual(try matrix.floats(), (0..<12).map(Float.init), name)
      let transposed = try tensor("transposed")
      XCTAssertEqual(transposed.stride, [1, 4])
      XCTAssertEqual(
        try transposed.floats(), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], name)
      let slice = try tensor("slice")
      XCTAssertEqual(slice.offset, 13)
      XCTAssertEqual(try slice.floats(), [13, 16, 19, 22], name)
      XCTAssertTrue(try tensor("alias").storage === matrix.storage, "tied storage kept, \(name)")
      XCTAssertTrue(slice.storage === matrix.storage, name)
      XCTAssertEqual(try tensor("longs").values(), [-3, 0, 5], name)
      XCTAssertThrowsError(try tensor("longs").floats(), name)
      XCTAssertEqual(try tensor("doubles").floats(), [0.5, -1.25], name)
      XCTAssertEqual(file.root.dict?["note"]?.string, "views")
    }
  }

  func testAGlobalOutsideTheAllowedSetIsRefusedByName() {
    // GLOBAL 'posix system', the argument 'true', TUPLE1, REDUCE, STOP.
    let pickle: [UInt8] =
      [0x80, 2, 0x63] + Array("posix\nsystem\n".utf8) + [0x58, 4, 0, 0, 0] + Array("true".utf8)
      + [0x85, 0x52, 0x2E]
    XCTAssertThrowsError(try Unpickler.load(pickle, allowed: TorchFile.allowedGlobals)) { error in
      XCTAssertTrue("\(error)".contains("global 'posix system' is not allowed"), "\(error)")
    }
    // STACK_GLOBAL names the same way.
    let stacked: [UInt8] =
      [0x80, 4, 0x8C, 2] + Array("os".utf8) + [0x8C, 6] + Array("system".utf8) + [0x93, 0x2E]
    XCTAssertThrowsError(try Unpickler.load(stacked, allowed: TorchFile.allowedGlobals)) { error in
      XCTAssertTrue("\(error)".contains("global 'os system' is not allowed"), "\(error)")
    }
  }

  func testPlainValuesMemoAndObjects() throws {
    // {'a': -2 (LONG1), 7: [1.5, True, None], 'ns': Namespace(x=300)} with a memoised list.
    var p: [UInt8] = [0x80, 2, 0x7D, 0x28]
    p += [0x58, 1, 0, 0, 0, 0x61, 0x8A, 1, 0xFE]
    p += [0x4B, 7, 0x5D, 0x71, 0, 0x28, 0x47, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0, 0x88, 0x4E, 0x65]
    p += [0x58, 2, 0, 0, 0] + Array("ns".utf8) + [0x63] + Array("argparse\nNamespace\n".utf8)
    p += [0x29, 0x81, 0x7D, 0x58, 1, 0, 0, 0, 0x78, 0x4D, 0x2C, 0x01, 0x73, 0x62]
    p += [0x75, 0x2E]
    let value = try Unpickler.load(p, allowed: TorchFile.allowedGlobals).value
    let dict = try XCTUnwrap(value.dict)
    XCTAssertEqual(dict["a"]?.int, -2)
    let list = try XCTUnwrap(dict[int: 7]?.items)
    XCTAssertEqual(list.first?.double, 1.5)
    XCTAssertEqual(list.dropFirst().first?.int, 1)
    guard case .object(let ns)? = dict["ns"] else { return XCTFail("no Namespace object") }
    XCTAssertEqual(ns.callable, "argparse Namespace")
    XCTAssertEqual(ns.state.dict?["x"]?.int, 300)
  }

  func testTruncatedAndCyclicPicklesEndWithAnErrorOrAValue() throws {
    let p: [UInt8] = [0x80, 2, 0x58, 9, 0, 0, 0] + Array("abc".utf8)
    XCTAssertThrowsError(try Unpickler.load(p, allowed: [:])) { error in
      XCTAssertTrue("\(error)".contains("truncated"), "\(error)")
    }
    // A list that contains itself (EMPTY_LIST, BINPUT 0, BINGET 0, APPEND, STOP).
    let cyclic: [UInt8] = [0x80, 2, 0x5D, 0x71, 0, 0x68, 0, 0x61, 0x2E]
    let value = try Unpickler.load(cyclic, allowed: [:]).value
    XCTAssertEqual(value.items?.count, 1)
    XCTAssertThrowsError(try TorchFile(bytes: [0x80, 2, 0x5D, 0x71, 0, 0x68, 0, 0x61, 0x2E]))
  }
}
