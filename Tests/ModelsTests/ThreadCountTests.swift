import Layers
import Models
import Tensor
import XCTest

/// Results do not depend on the thread count: forward outputs and every gradient of Mega and
/// SeqBoat models (training mode, dropout and attention dropout on, a padded row) are the same
/// bits at 1, 2 and 3 threads. OpenBLAS runs one thread per call in both (as `ThreadCount.run` sets
/// it), so the products, which our threads split in fixed chunks, are compared bit for bit too.
final class ThreadCountTests: XCTestCase {
  static let archs = [
    "mega_lra_listop", "mega_lra_cifar10", "mega_lm_enwik8_base", "slag_lra_listop",
    "slag_lra_cifar10", "slag_lm_enwik8_base_v2",
  ]

  /// The loss and every parameter gradient of `arch` after one forward and backward pass, as
  /// bits; activations are large enough (4 × 256 × 64) that elementwise loops split too.
  static func bits(_ arch: String) throws -> [UInt32] {
    var config = try ModelConfig.small(arch, maxPositions: 256, classifierOutDim: 6)
    config.layers = 2
    config.embedDim = 64
    config.hiddenDim = 64
    config.zDim = 16
    config.chunkSize = 32
    config.dropout = 0.1
    config.attentionDropout = 0.1
    config.hiddenDropout = 0.1
    let model = makeModel(config, seed: 3)
    var rng = SplitMix64(seed: 9)
    let (batch, length) = (4, 256)
    var tokens = (0..<(batch * length)).map { _ in 4 + Int(rng.next() % 8) }
    let microBatch: MicroBatch
    switch config.task {
    case .lm:
      let targets = (0..<(batch * length)).map { _ in 4 + Int(rng.next() % 8) }
      microBatch = .languageModel(tokens: tokens, targets: targets, batch: batch)
    case .lra, .sc:
      if config.input == .tokens {
        for t in (length - 40)..<length { tokens[length + t] = 1 }
        microBatch = .classification(.tokens(tokens, batch: batch), targets: [1, 4, 0, 2])
      } else {
        let values = Tensor.randn([batch, length], rng: &rng)
        microBatch = .classification(.values(values), targets: [1, 4, 0, 2])
      }
    }
    let stats = try model.loss(microBatch, ForwardContext(training: true, dropoutKey: 77))
    stats.loss.backward()
    var bits = [stats.loss.item.bitPattern]
    for (_, p) in model.parameters { bits += p.gradOrZeros.map(\.bitPattern) }
    return bits
  }

  func testOneTwoAndThreeThreadsGiveTheSameBits() throws {
    BLAS.setThreads(1)
    for arch in Self.archs {
      let one = try Parallelism(threads: 1).with { try Self.bits(arch) }
      for threads in [2, 3] {
        let many = try Parallelism(threads: threads).with { try Self.bits(arch) }
        XCTAssertEqual(one.count, many.count, arch)
        let differing = zip(one, many).enumerated().first { $0.element.0 != $0.element.1 }
        XCTAssertNil(
          differing,
          "\(arch), \(threads) threads: first differing value at \(differing?.offset ?? -1)")
      }
      XCTAssertTrue(one.dropFirst().contains { $0 != 0 }, "\(arch): no gradient reached")
    }
  }
}
