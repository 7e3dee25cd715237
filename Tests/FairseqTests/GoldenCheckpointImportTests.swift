import Fairseq
import Foundation
import HDF5
import Training
import XCTest

/// Families the two reference fixtures do not cover, as fairseq checkpoints made from generated
/// golden files (`tools/fairseq/make_golden_checkpoints.py`): a two-input retrieval classifier
/// with an untruncated EMA (zip format, with a dictionary) and a SeqBoat raw-audio classifier
/// in post-norm with batch norm (legacy stream, no dictionary). The import must rebuild the
/// golden configuration and hold the golden file's reference parameters exactly.
final class GoldenCheckpointImportTests: XCTestCase {
  private func goldenParameters(_ name: String) throws -> [String: [Float]] {
    let path = URL(fileURLWithPath: FairseqFixtures.directory.path)
      .deletingLastPathComponent().appendingPathComponent("golden-generated/\(name).h5").path
    let params = try HDF5File.open(path).root().openGroup("params")
    var out: [String: [Float]] = [:]
    for member in try params.memberNames() {
      out[member] = try params.openDataset(member).read(as: Float.self)
    }
    return out
  }

  private func check(_ name: String, dictionary: Bool, expect: [String: String]) throws {
    let folder = try FairseqFixtures.scratch(for: self)
    let out = folder.appendingPathComponent("\(name).h5").path
    let notes = try FairseqImport.run(
      input: FairseqFixtures.path("golden/\(name).pt"),
      dictionary: dictionary ? FairseqFixtures.path("golden/\(name).dict.txt") : nil,
      member: nil, out: out)
    XCTAssertEqual(notes, ["no last_optimizer_state: training starts from fresh moments"])
    let ck = try Checkpoint.read(out)
    for (key, value) in expect { XCTAssertEqual(ck.modelArgs[key], value, "\(name) \(key)") }
    XCTAssertEqual(ck.numUpdates, 7)
    let golden = try goldenParameters(name)
    XCTAssertFalse(golden.isEmpty)
    for (key, values) in golden where !key.hasSuffix("_float_tensor") {
      let got = try XCTUnwrap(ck.tensors[key], "\(name): \(key) not imported")
      if key.hasSuffix("embed_tokens.embed.weight") {
        // seqboat's vocabulary pads the table to 24 rows before <CLS>: fairseq's 19 rows come
        // first, then zero rows, and fairseq's last row (<CLS>, id 19) moves to id 24.
        let width = got.shape[1]
        XCTAssertEqual(got.shape[0], 25)
        XCTAssertEqual(Array(got.data.prefix(19 * width)), Array(values.prefix(19 * width)))
        XCTAssertEqual(
          Array(got.data[(19 * width)..<(24 * width)]), Array(repeating: 0, count: 5 * width))
        XCTAssertEqual(Array(got.data.suffix(width)), Array(values.suffix(width)))
      } else {
        XCTAssertEqual(got.data, values, "\(name) \(key)")
      }
    }
  }

  func testRetrievalClassifierWithUntruncatedEMA() throws {
    try check(
      "gen02_retrieval_mega_mp_laplace_rmsnorm_post_simple_c8_gelu", dictionary: true,
      expect: ["truncation-length": "none", "two-inputs": "true", "normalize-before": "false"])
  }

  func testSeqBoatAudioClassifierWithBatchNormInPostNorm() throws {
    try check(
      "gen07_audio_seqboat_mp_laplace_batchnorm_post_rotary_nochunk_silu", dictionary: false,
      expect: ["layer-type": "seqboat", "normalize-before": "false", "task-kind": "sc"])
  }
}
