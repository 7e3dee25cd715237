import Distributed
import Layers
import Models
import Optim
import Tensor
import Training
import XCTest

/// fp16 mode overflows where a half model would: an input large enough that an activation passes
/// 65504 makes the step skip and the scale halve, with the weights untouched and finite, while
/// the same step in float32 is taken; an ordinary batch afterwards trains.
final class HalfActivationOverflowTests: XCTestCase {
  private func trainer(fp16: Bool) throws -> (Trainer, Model) {
    var config = try ModelConfig.preset("mega_lra_pf32")
    config.layers = 1
    config.embedDim = 8
    config.hiddenDim = 8
    config.ffnDim = 8
    config.zDim = 4
    config.nDim = 2
    config.chunkSize = 4
    config.maxPositions = 16
    config.classifierOutDim = 8
    config.dropout = 0
    let model = makeModel(config, seed: 2)
    let trainer = try Trainer(
      model: model, communicator: try Communicator.world(),
      optimizer: Adam(betas: (0.9, 0.98), eps: 1e-8, weightDecay: 0),
      schedule: try FixedSchedule(lr: 1e-3), clipNorm: 1,
      scaler: fp16 ? LossScaler(initScale: 128, window: 1 << 14, minScale: 1e-4) : nil)
    return (trainer, model)
  }

  private func batch(scale: Float) -> MicroBatch {
    var rng = SplitMix64(seed: 6)
    let x = Tensor(shape: [2, 12], data: (0..<24).map { _ in Float(rng.uniform()) * scale })
    return .classification(.values(x), targets: [0, 1])
  }

  /// Validation in fp16 runs the half model (fairseq validates the half-cast model): inside
  /// `asHalfModel` the weights are half values and the loss differs from float32's by fp16
  /// rounding; afterwards the fp32 masters are back.
  func testValidationRunsTheHalfModelAndKeepsTheMasters() throws {
    let (half, model) = try trainer(fp16: true)
    let masters = model.parameters.map(\.tensor.data)
    let (halfLoss, weights) = try half.asHalfModel {
      (
        try model.loss(batch(scale: 1), .evaluation()).loss.item,
        model.parameters.flatMap(\.tensor.data)
      )
    }
    XCTAssertEqual(model.parameters.map(\.tensor.data), masters)
    XCTAssertTrue(weights.allSatisfy { Float(Float16($0)) == $0 })
    XCTAssertFalse(masters.joined().allSatisfy { Float(Float16($0)) == $0 })
    let floatLoss = try model.loss(batch(scale: 1), .evaluation()).loss.item
    XCTAssertNotEqual(halfLoss, floatLoss)
    XCTAssertEqual(halfLoss, floatLoss, accuracy: 1e-2 * abs(floatLoss))
  }

  func testActivationOverflowSkipsTheStepAndHalvesTheScale() throws {
    let (half, model) = try trainer(fp16: true)
    let before = model.parameters.map(\.tensor.data)
    let huge = try half.update([batch(scale: 1e6)], spans: nil, stopRequested: false)
    XCTAssertTrue(huge.skipped, "an activation above 65504 must overflow in fp16 mode")
    XCTAssertEqual(half.scaler?.scale, 64)
    XCTAssertEqual(half.numUpdates, 0)
    XCTAssertEqual(model.parameters.map(\.tensor.data), before, "a skipped step")

    let (float, _) = try trainer(fp16: false)
    let same = try float.update([batch(scale: 1e6)], spans: nil, stopRequested: false)
    XCTAssertFalse(same.skipped)
    XCTAssertTrue(same.gradNorm.isFinite, "float32 holds the same activations")

    let ordinary = try half.update([batch(scale: 1)], spans: nil, stopRequested: false)
    XCTAssertFalse(ordinary.skipped)
    XCTAssertTrue(ordinary.lossSum.isFinite && ordinary.gradNorm.isFinite)
    XCTAssertEqual(half.numUpdates, 1)
    let after = model.parameters.map(\.tensor.data)
    XCTAssertNotEqual(after, before)
    XCTAssertTrue(after.allSatisfy { $0.allSatisfy(\.isFinite) })
  }
}
