import Models
import XCTest

/// MODEL.md §9: the analytic matmul FLOP model that `seqboat bench` reports.
final class FlopModelTests: XCTestCase {
  /// A SeqBoat arch as its paper trains it: without NFFN, with `window`.
  func seqBoatPaper(_ arch: String, window: Int) throws -> ModelConfig {
    var config = try ModelConfig.preset(arch)
    config.ffnDim = -1
    config.chunkSize = window
    return config
  }

  func testMegaListOpsMatchesTheSpecCheck() throws {
    let flops = FlopModel(try ModelConfig.preset("mega_lra_listop"))
    XCTAssertEqual(flops.megaLayerMACs(length: 2000), 529_920)
    let perToken = flops.forwardFLOPs(batch: 1, length: 2000) / 2000
    XCTAssertEqual(perToken / 1e9, 0.0064, accuracy: 0.00005)
  }

  func testChunkedAttentionCountsTheChunk() throws {
    var config = try ModelConfig.preset("mega_lra_listop")
    config.chunkSize = 128
    let flops = FlopModel(config)
    XCTAssertEqual(flops.megaChunk(length: 2048), 128)
    XCTAssertEqual(flops.megaChunk(length: 100), 100)
    XCTAssertEqual(flops.megaLayerMACs(length: 2048), 529_920 - (2000 - 128) * (64 + 160))
  }

  func testSeqBoatCountsTheCompressedLength() throws {
    let config = try seqBoatPaper("slag_lra_listop", window: 128)
    let flops = FlopModel(config)
    let (e, h, z, w) = (80.0, 160.0, 64.0, 128.0)
    XCTAssertEqual(flops.seqBoatLayerMACs(length: 2000, compressedLength: 0), e * (e + 2))
    let attention: Double = 3 * w * (z + h)
    let projections: Double = e * (z + 2 * h) + h * e
    let dense = e * (e + 2) + projections + 2048 / 2000 * attention
    XCTAssertEqual(
      flops.seqBoatLayerMACs(length: 2000, compressedLength: 2000), dense, accuracy: 1e-6)
    let half = e * (e + 2) + 0.5 * projections + 1024 / 2000 * attention
    XCTAssertEqual(
      flops.seqBoatLayerMACs(length: 2000, compressedLength: 1000), half, accuracy: 1e-6)
    let perLayer = [1000, 0, 2000, 1000, 1000, 2000]
    let total = flops.forwardFLOPs(batch: 2, length: 2000, compressedLengths: perLayer)
    let layers = perLayer.reduce(0) {
      $0 + flops.seqBoatLayerMACs(length: 2000, compressedLength: $1)
    }
    XCTAssertEqual(total, 2 * (4000 * layers + flops.headMACs(batch: 2, length: 2000, targets: [])))
  }

  /// The global mode (`chunk_size -1`) attends every compressed slot to every other.
  func testSeqBoatGlobalModeCountsAllPairs() throws {
    var config = try seqBoatPaper("slag_lra_listop", window: 128)
    config.chunkSize = -1
    let (e, h, z) = (80.0, 160.0, 64.0)
    let projections: Double = e * (z + 2 * h) + h * e
    let want = e * (e + 2) + 0.5 * projections + 1000 * 1000 / 2000 * (z + h)
    XCTAssertEqual(
      FlopModel(config).seqBoatLayerMACs(length: 2000, compressedLength: 1000), want,
      accuracy: 1e-6)
  }

  func testCausalWindowCountsTwoBlocks() throws {
    let config = try seqBoatPaper("slag_lm_enwik8_base_v2", window: 1024)
    let flops = FlopModel(config)
    let (e, h, z) = (616.0, 1232.0, 128.0)
    let projections: Double = e * (z + 2 * h) + h * e
    let expected = e * (e + 2) + projections + 2 * 1024 * (z + h)
    XCTAssertEqual(flops.seqBoatLayerMACs(length: 1024, compressedLength: 1024), expected)
  }

  func testHeads() throws {
    let listops = FlopModel(try ModelConfig.preset("mega_lra_listop"))
    XCTAssertEqual(listops.headMACs(batch: 3, length: 9, targets: []), 3 * (80 * 160 + 160 * 10))
    let enwik8 = FlopModel(try ModelConfig.preset("mega_lm_enwik8_base"))
    XCTAssertEqual(enwik8.headMACs(batch: 2, length: 5, targets: []), 10 * 512 * 208)
    let wt103 = FlopModel(try ModelConfig.preset("mega_lm_adaptive_big"))
    let targets = [5, 25_000, 100_000, 7]
    let head: Double = 4 * 1024 * 20_002
    let tail1: Double = 1024 * 256 + 256 * 40_000
    let tail2: Double = 1024 * 64 + 64 * 207_744
    let tails = tail1 + tail2
    XCTAssertEqual(wt103.headMACs(batch: 1, length: 4, targets: targets), head + tails)
    let input: Double = 2 * 1024 * 1024 + 1024 * 256 + 1024 * 64
    XCTAssertEqual(wt103.adaptiveInputMACs(tokens: targets), input)
  }
}
