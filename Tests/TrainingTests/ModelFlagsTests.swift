import Models
import XCTest

@testable import Training

/// The command line's model options: fairseq's names and kinds, per reference parser.
final class ModelFlagsTests: XCTestCase {
  func entries(_ arch: String, _ words: [String]) throws -> [String: String] {
    try ModelFlags.entries(arch: arch, words: words)
  }

  func assertRefused(_ arch: String, _ words: [String], _ message: String) {
    XCTAssertThrowsError(try entries(arch, words)) { XCTAssertEqual("\($0)", message) }
  }

  func testStoreTrueOptionsTakeNoValue() throws {
    XCTAssertEqual(
      try entries("mega_lra_listop", ["--encoder-normalize-before"]),
      ["normalize-before": "true"])
    assertRefused(
      "mega_lra_listop", ["--encoder-normalize-before=true"],
      "--encoder-normalize-before takes no value (got 'true')")
    assertRefused(
      "mega_lra_listop", ["--encoder-normalize-before", "true"], "unexpected argument 'true'")
    XCTAssertEqual(try entries("slag_lm_enwik8_base_v2", ["--local-pos"]), ["local-pos": "true"])
  }

  func testFairseqNamesPerParser() throws {
    XCTAssertEqual(
      try entries("mega_lm_enwik8_base", ["--decoder-embed-dim", "16", "--decoder-chunk-size=8"]),
      ["encoder-embed-dim": "16", "chunk-size": "8"])
    XCTAssertEqual(
      try entries("mega_lra_listop", ["--norm-type", "rmsnorm", "--sen-rep-type", "cls"]),
      ["normalization-type": "rmsnorm", "sen-rep-type": "cls"])
    assertRefused(
      "mega_lra_listop", ["--decoder-layers", "2"],
      "--decoder-layers is not an option of lra models (arch mega_lra_listop)")
    assertRefused(
      "mega_lm_enwik8_base", ["--encoder-layers", "2"],
      "--encoder-layers is not an option of lm models (arch mega_lm_enwik8_base)")
    assertRefused(
      "mega_lra_listop", ["--local-pos"],
      "--local-pos is read by SeqBoat layers only; this model has Mega layers")
    assertRefused(
      "mega_lra_listop", ["--encoder-layerz", "2"],
      "unknown option --encoder-layerz (did you mean --encoder-layers?)")
    assertRefused("mega_lra_listop", ["--z-dim"], "--z-dim needs a value")
  }

  func testRefusedValuesAndNoOps() throws {
    assertRefused(
      "mega_lra_listop", ["--layer-type", "transformer"],
      "--layer-type 'transformer': layer type not implemented in seqboat")
    assertRefused(
      "mega_lra_listop", ["--layer-type", "lstmm"],
      "--layer-type 'lstmm' is not one of transformer, luna, lstm, flash, mega, slag")
    assertRefused(
      "mega_lra_listop", ["--feature-dropout"],
      "--feature-dropout: feature dropout is not implemented in seqboat")
    assertRefused(
      "mega_sc_raw_base", ["--sen-rep-type", "cls"], "--sen-rep-type 'cls': SCRawModel asserts mp")
    assertRefused(
      "mega_lra_listop", ["--activation-fn", "relu2"],
      "--activation-fn 'relu2' is not one of relu, gelu, gelu_fast, gelu_accurate, linear, silu")
    let noOps = [
      "--encoder-layerdrop", "0.1", "--ddp-backend", "c10d", "--find-unused-parameters",
      "--sent-loss", "--quant-noise-pq", "0.5", "--encoder-attention-heads", "4",
    ]
    XCTAssertEqual(try entries("mega_lra_listop", noOps), [:])
    XCTAssertEqual(
      try entries("mega_lra_listop", ["--activation-fn", "gelu_fast"]),
      ["activation-fn": "gelu_accurate"])
  }

  /// Adaptive input and softmax act together: only the tied form is built; others are refused.
  func testAdaptiveOptionsActTogether() throws {
    let tied = [
      "--adaptive-input", "--adaptive-input-cutoff", "10,20", "--adaptive-softmax-cutoff",
      "[10, 20]", "--tie-adaptive-weights", "--tie-adaptive-proj", "--adaptive-input-factor", "2",
      "--adaptive-softmax-factor", "2.0",
    ]
    XCTAssertEqual(
      try entries("mega_lm_enwik8_base", tied),
      ["adaptive-cutoffs": "10,20", "adaptive-factor": "2"])
    assertRefused(
      "mega_lm_enwik8_base", ["--adaptive-softmax-cutoff", "10,20"],
      "--adaptive-softmax-cutoff without --adaptive-input (an untied adaptive softmax) is not "
        + "implemented")
    assertRefused(
      "mega_lm_enwik8_base", ["--adaptive-input", "--adaptive-input-cutoff", "10,20"],
      "--adaptive-input without --adaptive-softmax-cutoff (a full softmax) is not implemented")
    assertRefused(
      "mega_lm_adaptive_big", ["--adaptive-softmax-cutoff", "10,20"],
      "--adaptive-softmax-cutoff 10,20 differs from --adaptive-input-cutoff 20000,60000; tied "
        + "adaptive weights need equal cutoffs")
    let config = try ModelArgs.config(
      arch: "mega_lm_enwik8_base",
      values: entries("mega_lm_enwik8_base", tied + ["--vocab-size", "40"]))
    XCTAssertEqual(config.adaptiveCutoffs, [10, 20])
    XCTAssertEqual(config.adaptiveFactor, 2)
  }

  /// Out-of-range values are one-line errors naming the option of the model's parser and the
  /// reference argument, never a trap.
  func testOutOfRangeValuesAreRefused() throws {
    func refused(_ arch: String, _ words: [String], _ message: String) {
      XCTAssertThrowsError(
        try ModelArgs.config(arch: arch, values: entries(arch, words)), words.joined()
      ) { XCTAssertEqual("\($0)", message) }
    }
    refused(
      "mega_lra_listop", ["--dropout", "1.5"], "--dropout (dropout) is 1.5; must be in [0, 1)")
    refused(
      "mega_lra_listop", ["--encoder-layers", "0"],
      "--encoder-layers (encoder_layers) is 0; must be >= 1")
    refused(
      "mega_lra_listop", ["--chunk-size", "0"],
      "--chunk-size (chunk_size) is 0; must be -1 (no chunks) or >= 1")
    refused("mega_lra_listop", ["--n-dim", "0"], "--n-dim (n_dim) is 0; must be >= 1")
    refused(
      "mega_lm_adaptive_big", ["--decoder-n-dim", "0"], "--decoder-n-dim (n_dim) is 0; must be >= 1"
    )
    refused(
      "mega_lra_listop", ["--encoder-hidden-dim", "0"],
      "--encoder-hidden-dim (hidden_dim) is 0; must be >= 1")
    refused(
      "mega_lra_listop", ["--padding-idx", "999"],
      "--padding-idx (padding_idx) is 999; must be a row of the 25-row embedding")
    refused(
      "mega_lra_cifar10", ["--encoder-normalize-before", "--normalize-embedding"],
      "--normalize-embedding (normalize_embedding) is true; the reference allows it only without "
        + "normalize_before")
    refused(
      "mega_lra_listop", ["--classifier-layers", "0", "--classifier-out-dim", "12"],
      "--classifier-layers (classifier_layers) is 0; the projection then reads the 80-wide "
        + "sentence representation, so classifier_out_dim must be 80")
  }
}
