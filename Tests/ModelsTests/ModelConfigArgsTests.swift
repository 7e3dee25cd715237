import Layers
import Models
import XCTest

final class ModelConfigArgsTests: XCTestCase {
  let args = """
    {"act_bias": 0.0, "act_dropout": 0.0, "activation_fn": "silu", "add_apos": false,
     "always_act": false, "attention_activation_fn": "softmax", "attention_dropout": 0.0,
     "chunk_size": 8, "classifier_activation_fn": "gelu", "classifier_in_dim": 16,
     "classifier_layers": 1, "classifier_out_dim": 24, "dropout": 0.1,
     "encoder_embed_dim": 16, "encoder_ffn_embed_dim": -1, "encoder_hidden_dim": 24,
     "encoder_layers": 2, "encoder_normalize_before": false, "init_temp_scale": 0.3,
     "input_type": "text", "layer_type": "slag", "local_pos": false, "max_positions": 64,
     "n_dim": 4, "norm_type": "layernorm", "rel_pos_bias": "simple", "sen_rep_type": "mp",
     "sentence_class_num": 10, "truncation_length": 1024, "use_nli": false, "z_dim": 8}
    """

  func testSeqBoatListOpsArgs() throws {
    let c = try ModelConfig(
      modelClass: "LRAModel", arch: "slag_lra_listop", vocabSize: 20,
      args: JSONValue(parsing: args))
    XCTAssertEqual(c.family, .seqboat)
    XCTAssertEqual(c.input, .tokens)
    XCTAssertEqual(c.layers, 2)
    XCTAssertEqual(c.chunkSize, 8)
    XCTAssertEqual(c.truncation, 1024)
    XCTAssertEqual(c.normType, .layernorm)
    XCTAssertFalse(c.prenorm)
    XCTAssertEqual(c.dropout, 0.1)
    XCTAssertEqual(c.classifierInDim, 16)
    XCTAssertEqual(c.seqBoatUnitOptions.positions, .fullTable(maxPositions: 64))
  }

  func testBadArgumentNamesTheKey() throws {
    let bad = args.replacingOccurrences(of: "\"z_dim\": 8", with: "\"z_dim\": \"eight\"")
    XCTAssertThrowsError(
      try ModelConfig(
        modelClass: "LRAModel", arch: "x", vocabSize: 20, args: JSONValue(parsing: bad))
    ) { error in XCTAssertEqual("\(error)", "model args: 'z_dim' is not an integer") }
  }

  func testJSONReader() throws {
    let v = try JSONValue(
      parsing: #"{"a": [1, 2.5, -3e2], "b": {"c": null, "d": "x\"y"}, "e": true}"#)
    XCTAssertEqual(v["a"], .array([.number(1), .number(2.5), .number(-300)]))
    XCTAssertEqual(v["b"]?["d"]?.string, "x\"y")
    XCTAssertEqual(v["b"]?["c"]?.isNull, true)
    XCTAssertEqual(v["e"]?.bool, true)
    XCTAssertThrowsError(try JSONValue(parsing: #"{"a": [1, 2}"#))
  }
}
