import Tensor
import TestSupport
import XCTest

@testable import Layers

final class NormTests: XCTestCase {
  private func input(_ shape: [Int], seed: UInt64 = 1) -> Tensor {
    var rng = SplitMix64(seed: seed)
    return Tensor.randn(shape, rng: &rng, requiresGrad: true)
  }

  /// Randomises every parameter so that affine terms are exercised away from 1 and 0.
  private func perturb(_ m: Module, seed: UInt64 = 9) {
    var rng = SplitMix64(seed: seed)
    for p in m.parameters {
      for i in 0..<p.tensor.count { p.tensor.data[i] += Float(rng.normal()) * 0.3 }
    }
  }

  func testLayerNormMatchesFormula() throws {
    let x = Tensor(shape: [1, 4], data: [1, 2, 3, 6])
    let norm = SequenceNorm(.layernorm, dim: 4, affine: false)
    let y = try norm(x, .evaluation())
    let mean: Float = 3
    let std = ((4 + 1 + 0 + 9) / 4 + 1e-5 as Float).squareRoot()
    for j in 0..<4 { XCTAssertEqual(y.data[j], (x.data[j] - mean) / std, accuracy: 1e-5) }
  }

  func testScaleNormAndRMSNormMatchFormula() throws {
    let x = Tensor(shape: [1, 2], data: [3, 4])
    let scale = SequenceNorm(.scalenorm, dim: 2)
    scale.weight!.data[0] = 2
    let rms = (12.5 + 1e-5 as Float).squareRoot()
    XCTAssertEqual(try scale(x, .evaluation()).data[1], 2 * 4 / rms, accuracy: 1e-5)
    let rmsNorm = SequenceNorm(.rmsnorm, dim: 2)
    rmsNorm.weight!.data = [1, -3]
    XCTAssertEqual(try rmsNorm(x, .evaluation()).data[1], -3 * 4 / rms, accuracy: 1e-5)
  }

  func testStateNames() {
    XCTAssertEqual(
      SequenceNorm(.layernorm, dim: 3).stateDict.map(\.name), ["norm.weight", "norm.bias"])
    XCTAssertEqual(SequenceNorm(.scalenorm, dim: 3).stateDict.map(\.name), ["norm.scalar"])
    XCTAssertEqual(SequenceNorm(.rmsnorm, dim: 3).stateDict.map(\.name), ["norm.weight"])
    XCTAssertEqual(
      SequenceNorm(.batchnorm, dim: 3).stateDict.map(\.name),
      [
        "norm.weight", "norm.bias", "norm.running_mean", "norm.running_var",
        "norm.num_batches_tracked",
      ])
    XCTAssertTrue(SequenceNorm(.layernorm, dim: 3, affine: false).stateDict.isEmpty)
  }

  func testGradientsOfEveryNormType() throws {
    for type in NormType.allCases {
      for affine in [true, false] {
        for training in [true, false] {
          if training && type != .batchnorm { continue }
          let norm = SequenceNorm(type, dim: 5, affine: affine)
          perturb(norm)
          if let bn = norm.batchNorm {
            bn.runningMean.data = [0.1, -0.2, 0.3, 0, 0.5]
            bn.runningVar.data = [0.7, 1.2, 2, 0.9, 1.5]
          }
          let x = input([6, 2, 5])
          let err = try GradientCheck.maxRelativeError(
            inputs: [x] + norm.parameters.map(\.tensor)
          ) {
            try norm($0[0], ForwardContext(training: training))
          }
          XCTAssertLessThan(err, 2e-2, "\(type) affine \(affine) training \(training)")
        }
      }
    }
  }

  func testBatchNormTrainUpdatesRunningStatistics() throws {
    let bn = BatchNorm(dim: 2, affine: true)
    let x = Tensor(shape: [2, 2, 2], data: [1, 10, 2, 20, 3, 30, 6, 40])
    let y = try bn(x, ForwardContext(training: true))
    // Channel 0: values 1, 2, 3, 6 → mean 3, biased var 3.5, unbiased 14/3.
    XCTAssertEqual(bn.runningMean.data[0], 0.3, accuracy: 1e-6)
    XCTAssertEqual(bn.runningVar.data[0], 0.9 + 0.1 * 14 / 3, accuracy: 1e-6)
    XCTAssertEqual(bn.numBatchesTracked.data[0], 1)
    XCTAssertEqual(y.data[0], (1 - 3) / (3.5 + 1e-5 as Float).squareRoot(), accuracy: 1e-5)
    let z = try bn(x, .evaluation())
    XCTAssertEqual(
      z.data[0], (1 - 0.3) / (bn.runningVar.data[0] + 1e-5).squareRoot(), accuracy: 1e-5)
    XCTAssertEqual(bn.numBatchesTracked.data[0], 1)
  }

  /// A two-"rank" collective inside one process: each call adds the other half's sums.
  private final class Halves: Collective {
    var other: [Double] = []
    let rank = 0
    let size = 2
    func allReduceSum(_ values: inout [Double]) {
      for i in 0..<values.count { values[i] += other[i] }
    }
  }

  /// A collective whose reductions fail after `working` successful calls.
  private final class Failing: Collective {
    var working: Int
    let rank = 1
    let size = 2
    init(working: Int) { self.working = working }
    func allReduceSum(_ values: inout [Double]) throws {
      guard working > 0 else { throw DistributedTestError() }
      working -= 1
    }
  }

  private struct DistributedTestError: Error, CustomStringConvertible {
    var description: String { "peer unreachable" }
  }

  /// A reduction that fails in forward is thrown, naming the rank and the operation; one that
  /// fails in backward is kept by the context and thrown by `checkCollectives`.
  func testSyncBatchNormCollectiveFailuresAreErrors() throws {
    let x = input([4, 2, 3])
    let sync = BatchNorm(dim: 3, affine: true, synchronised: true)
    let forward = ForwardContext(training: true, collective: Failing(working: 0))
    XCTAssertThrowsError(try sync(x, forward)) { error in
      XCTAssertEqual(
        "\(error)",
        "rank 1: synchronised batch norm statistics: all-reduce failed: peer unreachable")
    }
    let backward = ForwardContext(training: true, collective: Failing(working: 1))
    let y = try sync(x, backward)
    XCTAssertNoThrow(try backward.checkCollectives())
    y.sum().backward()
    XCTAssertThrowsError(try backward.checkCollectives()) { error in
      XCTAssertTrue("\(error)".hasPrefix("rank 1: synchronised batch norm statistics"))
    }
    let plain = BatchNorm(dim: 3, affine: true)
    XCTAssertNoThrow(try plain(x, forward), "batchnorm (not sync) never reduces over ranks")
  }

  func testSyncBatchNormEqualsBatchNormOnTheWholeBatch() throws {
    let whole = input([4, 2, 3])
    let full = BatchNorm(dim: 3, affine: false)
    let expected = try full(whole, ForwardContext(training: true)).data
    let firstHalf = Tensor(shape: [2, 2, 3], data: Array(whole.data[0..<12]))
    let secondHalf = Tensor(shape: [2, 2, 3], data: Array(whole.data[12..<24]))
    var sums = [Double](repeating: 0, count: 7)
    for r in 0..<4 {
      for c in 0..<3 {
        let v = Double(secondHalf.data[r * 3 + c])
        sums[c] += v
        sums[3 + c] += v * v
      }
    }
    sums[6] = 4
    let halves = Halves()
    halves.other = sums
    let sync = BatchNorm(dim: 3, affine: false, synchronised: true)
    let got = try sync(firstHalf, ForwardContext(training: true, collective: halves)).data
    for i in 0..<12 { XCTAssertEqual(got[i], expected[i], accuracy: 1e-5) }
    for c in 0..<3 {
      XCTAssertEqual(sync.runningVar.data[c], full.runningVar.data[c], accuracy: 1e-5)
    }
  }
}
