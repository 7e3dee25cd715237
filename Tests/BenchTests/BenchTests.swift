import Bench
import Distributed
import Foundation
import Models
import Training
import XCTest

/// `seqboat bench`: the configurations resolve and a tiny run reports every figure (never speed).
final class BenchTests: XCTestCase {
  func testEveryNamedConfigurationResolves() throws {
    for name in BenchShape.names {
      let shape = try BenchShape.named(name)
      XCTAssertGreaterThan(shape.tokens, 0, name)
    }
    let c128 = try BenchShape.named("mega_listops_c128")
    XCTAssertEqual(c128.config.chunkSize, 128)
    XCTAssertEqual(c128.length, 2048)
    XCTAssertThrowsError(try BenchShape.named("mega_nothing"))
  }

  private func tiny(_ arch: String) throws -> BenchShape {
    var config = try ModelConfig.preset(arch)
    config.layers = 2
    config.embedDim = 16
    config.hiddenDim = 32
    config.ffnDim = config.family == .mega ? 32 : -1
    config.zDim = 8
    config.nDim = 4
    config.classifierOutDim = 16
    config.chunkSize = 8
    return BenchShape(name: "tiny_\(arch)", config: config, batch: 2, length: 32)
  }

  private func run(_ shape: BenchShape, fp16: Bool = false) throws -> [String: Any] {
    let result = try ModelBench.run(
      shape, options: BenchOptions(threads: 1, steps: 2, warmup: 1, sgemmSize: 64, fp16: fp16),
      communicator: try Communicator.world())
    let object = try JSONSerialization.jsonObject(with: Data(result.json.utf8))
    return try XCTUnwrap(object as? [String: Any])
  }

  func testJSONHoldsEveryFigure() throws {
    let json = try run(try tiny("mega_lra_listop"))
    XCTAssertEqual(json["config"] as? String, "tiny_mega_lra_listop")
    XCTAssertEqual(json["threads"] as? Int, 1)
    for key in [
      "train_ms", "train_tokens_per_s", "train_gflops", "sgemm_gflops", "train_pct_of_sgemm",
      "fwd_ms", "fwd_pct_of_sgemm", "peak_rss_mb",
    ] {
      let value = try XCTUnwrap(json[key] as? Double, key)
      XCTAssertGreaterThan(value, 0, key)
    }
    let ms = try XCTUnwrap(json["train_ms"] as? Double)
    let tps = try XCTUnwrap(json["train_tokens_per_s"] as? Double)
    XCTAssertEqual(tps, 64 / (ms / 1e3), accuracy: tps * 1e-3)
    XCTAssertEqual(json["activated_fraction"] as? [Double], [])
  }

  func testFP16StepsAreMeasuredAndSaySo() throws {
    for arch in ["mega_lra_listop", "slag_lra_listop"] {
      let json = try run(try tiny(arch), fp16: true)
      XCTAssertEqual(json["fp16"] as? Bool, true, arch)
      XCTAssertGreaterThan(try XCTUnwrap(json["train_ms"] as? Double), 0, arch)
    }
    XCTAssertEqual(try run(try tiny("mega_lra_listop"))["fp16"] as? Bool, false)
  }

  func testSeqBoatReportsTheActivatedFractionPerLayer() throws {
    let json = try run(try tiny("slag_lra_listop"))
    let fractions = try XCTUnwrap(json["activated_fraction"] as? [Double])
    XCTAssertEqual(fractions.count, 2)
    for f in fractions { XCTAssert((0...1).contains(f)) }
    let compressed = try XCTUnwrap(json["compressed_fraction"] as? [Double])
    XCTAssertEqual(compressed.count, 2)
    for (a, c) in zip(fractions, compressed) { XCTAssertGreaterThanOrEqual(c + 1e-9, a) }
  }
}
