import Foundation
import Models
import Tensor
import TestSupport
import XCTest

final class AdaptiveEmbeddingTests: XCTestCase {
  func table() -> AdaptiveEmbedding {
    var rng = SplitMix64(seed: 5)
    return AdaptiveEmbedding(
      vocabulary: 60, dim: 8, cutoffs: [20, 40], factor: 2, dropout: 0, rng: &rng)
  }

  /// A tail token with relative index 1 contributes only its cluster term (reference quirk);
  /// other tail tokens add the tail NLL; padding targets contribute nothing.
  func testTailIgnoreQuirkAndPadding() {
    let a = table()
    var rng = SplitMix64(seed: 6)
    let x = Tensor.randn([1, 8], rng: &rng)
    let lp = a.logProbabilities(features: x)
    XCTAssertEqual(a.loss(features: x, targets: [1], .evaluation()).item, 0)
    XCTAssertEqual(a.loss(features: x, targets: [5], .evaluation()).item, -lp[5], accuracy: 1e-4)
    XCTAssertEqual(a.loss(features: x, targets: [42], .evaluation()).item, -lp[42], accuracy: 1e-4)
    // log P(cluster 2) = log Σ_{band 2} P(token).
    let band2 = lp[40...59].reduce(0.0) { $0 + exp(Double($1)) }
    let cluster = Float(-log(band2))
    XCTAssertEqual(a.loss(features: x, targets: [41], .evaluation()).item, cluster, accuracy: 1e-4)
  }

  func testLogProbabilitiesNormalise() {
    let a = table()
    var rng = SplitMix64(seed: 7)
    let lp = a.logProbabilities(features: Tensor.randn([2, 8], rng: &rng))
    for r in 0..<2 {
      let total = lp[(r * 60)..<((r + 1) * 60)].reduce(0.0) { $0 + exp(Double($1)) }
      XCTAssertEqual(total, 1, accuracy: 1e-5)
    }
  }

  func testEmbedAndLossGradients() {
    let a = table()
    var rng = SplitMix64(seed: 8)
    let x = Tensor.randn([3, 8], rng: &rng, requiresGrad: true)
    let err = GradientCheck.maxRelativeError(inputs: [x] + a.parameters.map(\.tensor)) { t in
      a.loss(features: t[0], targets: [3, 25, 44], .evaluation()).reshaped([1]).scaled(1)
        + a.embed([0, 21, 59], shape: [3]).sum().reshaped([1])
    }
    XCTAssertLessThan(err, 2e-2)
  }
}
