import Models
import Tensor
import XCTest

/// A small Mega and SeqBoat model under `HalfMode` (weights rounded to half, as the fp16 trainer
/// does): the loss stays within fp16 rounding of the float32 loss of the same weights, but differs.
final class HalfForwardTests: XCTestCase {
  private func losses(_ arch: String) throws -> (float: Float, half: Float) {
    var config = try ModelConfig.small(arch, maxPositions: 64, classifierOutDim: 6)
    config.layers = 2
    config.embedDim = 16
    config.hiddenDim = 16
    guard case .classifier(let m) = Model(config, seed: 4) else {
      XCTFail(arch)
      return (0, 0)
    }
    for (_, t) in m.parameters { HalfRounding.round(&t.data) }
    var rng = SplitMix64(seed: 9)
    let tokens = (0..<48).map { _ in 4 + Int(rng.next() % 10) }
    let targets = [1, 4, 0]
    func loss() throws -> Float {
      try GradMode.withoutGrad {
        let logits = try m.logits(.tokens(tokens, batch: 3))
        return try Losses.classification(logits: logits, targets: targets).loss.item
      }
    }
    let float = try loss()
    let half = try HalfMode.withHalf { try loss() }
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
