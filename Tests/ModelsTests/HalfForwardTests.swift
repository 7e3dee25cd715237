import Models
import Tensor
import XCTest

/// A small Mega and SeqBoat model with half weights (`withHalfWeights`, as the fp16 trainer runs
/// it): the loss stays within fp16 rounding of the float32 loss of the same weights, but differs,
/// and the float32 weights are back afterwards.
final class HalfForwardTests: XCTestCase {
  private func losses(_ arch: String) throws -> (float: Float, half: Float) {
    var config = try ModelConfig.small(arch, maxPositions: 64, classifierOutDim: 6)
    config.layers = 2
    config.embedDim = 16
    config.hiddenDim = 16
    guard let m = makeModelAs(SequenceClassifier.self, config, seed: 4) else {
      XCTFail(arch)
      return (0, 0)
    }
    for (_, t) in m.parameters { HalfRounding.round(&t.data) }
    let before = m.parameters.map(\.tensor.data)
    var rng = SplitMix64(seed: 9)
    let tokens = (0..<48).map { _ in 4 + Int(rng.next() % 10) }
    let targets = [1, 4, 0]
    func loss() throws -> Float {
      try GradMode.withoutGrad {
        let logits = try m.logits(.tokens(tokens, batch: 3), .evaluation())
        return try Losses.classification(logits: logits, targets: targets).loss.item
      }
    }
    let float = try loss()
    let half = try m.withHalfWeights { try loss() }
    XCTAssertEqual(m.parameters.map(\.tensor.data), before)
    XCTAssertEqual(try loss(), float, "float32 again after withHalfWeights")
    return (float, half)
  }

  func testMegaAndSeqBoatLossesAgreeWithinHalfRounding() throws {
    for arch in ["mega_lra_listop", "slag_lra_listop"] {
      let (float, half) = try losses(arch)
      XCTAssertNotEqual(float, half, "\(arch): half mode changed nothing")
      XCTAssertEqual(half, float, accuracy: 1e-2 * abs(float), arch)
    }
  }
}
