import Tensor
import TestSupport
import XCTest

@testable import Layers

final class EmbeddingTests: XCTestCase {
  func testLinearGradientAndNames() {
    var rng = SplitMix64(seed: 3)
    let lin = Linear(4, 3, weightInit: .normal(std: 0.5), rng: &rng)
    lin.bias!.data = [0.1, -0.2, 0.3]
    XCTAssertEqual(lin.parameters.map(\.name), ["weight", "bias"])
    let x = Tensor.randn([2, 5, 4], rng: &rng, requiresGrad: true)
    let err = GradientCheck.maxRelativeError(inputs: [x, lin.weight, lin.bias!]) { lin($0[0]) }
    XCTAssertLessThan(err, 1e-2)
  }

  func testEmbeddingLookupSkipsPaddingRowGradient() {
    var rng = SplitMix64(seed: 4)
    let emb = Embedding(
      count: 5, dim: 3, paddingIndex: 1, initializer: .normal(std: 1), zeroPaddingRow: true,
      rng: &rng)
    XCTAssertEqual(Array(emb.weight.data[3..<6]), [0, 0, 0])
    let tokens = [0, 1, 4, 4, 2, 1]
    let y = emb(tokens, shape: [2, 3])
    XCTAssertEqual(y.shape, [2, 3, 3])
    XCTAssertEqual(Array(y.data[6..<9]), Array(emb.weight.data[12..<15]))
    y.sum().backward()
    let g = emb.weight.grad!
    XCTAssertEqual(Array(g[3..<6]), [0, 0, 0])
    XCTAssertEqual(Array(g[12..<15]), [2, 2, 2])
    XCTAssertEqual(Array(g[9..<12]), [0, 0, 0])
  }

  func testRealNumberEmbeddingGradient() {
    var rng = SplitMix64(seed: 5)
    let emb = RealNumberEmbedding(dim: 4, rng: &rng)
    XCTAssertEqual(emb.parameters.map(\.name), ["weight", "bias"])
    let x = Tensor.randn([2, 3], rng: &rng, requiresGrad: true)
    let err = GradientCheck.maxRelativeError(inputs: [x, emb.weight, emb.bias]) { emb($0[0]) }
    XCTAssertLessThan(err, 1e-2)
  }
}
