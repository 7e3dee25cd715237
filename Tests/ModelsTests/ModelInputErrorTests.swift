import Models
import Tensor
import XCTest

/// Bad input gives one thrown error naming the field, never a crash or a silent NaN.
final class ModelInputErrorTests: XCTestCase {
  func small(_ arch: String) throws -> ModelConfig {
    try ModelConfig.small(arch, maxPositions: 16, classifierOutDim: 8)
  }

  func classifier(_ arch: String) throws -> SequenceClassifier {
    guard let m = makeModelAs(SequenceClassifier.self, try small(arch)) else {
      fatalError("not a classifier")
    }
    return m
  }

  func testTokenOutsideVocabulary() throws {
    let m = try classifier("slag_lra_listop")
    XCTAssertThrowsError(try m.logits(.tokens([5, 25, 2, 1], batch: 1), .evaluation())) { error in
      XCTAssertEqual(
        "\(error)", "src_tokens: token id 25 outside the vocabulary of 25 rows")
    }
    XCTAssertThrowsError(try m.logits(.tokens([5, -1, 2, 1], batch: 1), .evaluation()))
  }

  func testLengthBeyondMaxPositions() throws {
    let m = try classifier("mega_lra_listop")
    let ids = [Int](repeating: 5, count: 17)
    XCTAssertThrowsError(try m.logits(.tokens(ids, batch: 1), .evaluation())) { error in
      XCTAssertEqual("\(error)", "src_tokens: length 17 exceeds max_positions 16")
    }
    XCTAssertNoThrow(try m.logits(.tokens(Array(ids.prefix(16)), batch: 1), .evaluation()))
  }

  func testNaNInRealInput() throws {
    let m = try classifier("slag_lra_cifar10")
    var values = [Float](repeating: 0.5, count: 16)
    values[9] = .nan
    XCTAssertThrowsError(try m.logits(.values(Tensor(shape: [2, 8], data: values)), .evaluation()))
    { error in
      XCTAssertEqual("\(error)", "src_tokens: value at index 9 is not finite (NaN or inf)")
    }
  }

  func testWrongInputKind() throws {
    let m = try classifier("mega_lra_aan")
    XCTAssertThrowsError(try m.logits(.tokens([4, 5, 2], batch: 1), .evaluation())) { error in
      XCTAssertTrue("\(error)".hasPrefix("src1_tokens:"))
    }
  }

  func testLanguageModelTargets() throws {
    guard let lm = makeModelAs(LanguageModel.self, try small("slag_lm_enwik8_base_v2")) else {
      return XCTFail("not a language model")
    }
    XCTAssertThrowsError(
      try lm.loss(tokens: [2, 4, 5], targets: [4, 5, 12], batch: 1, .evaluation())
    ) { error in
      XCTAssertEqual("\(error)", "target: token id 12 outside the vocabulary of 12 rows")
    }
    let (loss, count) = try lm.loss(
      tokens: [2, 4, 5, 1], targets: [4, 5, 6, 1], batch: 1, .evaluation())
    XCTAssertEqual(count, 3)
    XCTAssertTrue(loss.item.isFinite)
  }
}
