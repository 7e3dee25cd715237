import Fairseq
import Foundation
import TestSupport
import XCTest

/// An imported checkpoint is an ordinary seqboat checkpoint: `inspect` describes it, `eval`
/// scores it on a dataset prepared by `seqboat prep`, and `train` resumes from it with the
/// fixture's own fairseq command line.
final class ImportedCheckpointUseTests: XCTestCase {
  func testInspectEvalAndTrainAcceptTheImportedListOpsModel() throws {
    let folder = try FairseqFixtures.scratch(for: self)
    let model = folder.appendingPathComponent("listops.h5").path
    let data = folder.appendingPathComponent("data.h5").path
    _ = try FairseqImport.run(
      input: FairseqFixtures.path("mega_lra_listops.legacy.pt"),
      dictionary: FairseqFixtures.path("mega_lra_listops.dict.txt"), member: nil, out: model)
    let inspect = try SeqboatJob.run(ranks: nil, ["inspect", model])
    XCTAssertEqual(inspect.exitCode, 0, inspect.output)
    XCTAssertEqual(inspect.lines(containing: "updates 2, epoch 3").count, 1, inspect.output)
    XCTAssertEqual(inspect.lines(containing: "maps 20 fairseq token ids").count, 1, inspect.output)
    XCTAssertEqual(inspect.lines(containing: "moments of 44 parameters").count, 1, inspect.output)
    let prep = try SeqboatJob.run(
      ranks: nil, ["prep", "listops", "--generate", "200", "--max-length", "64", "--out", data])
    XCTAssertEqual(prep.exitCode, 0, prep.output)
    let eval = try SeqboatJob.run(
      ranks: nil, ["eval", "--checkpoint", model, "--data", data, "--split", "test"])
    XCTAssertEqual(eval.exitCode, 0, eval.output)
    XCTAssertEqual(eval.lines(containing: "accuracy").count, 1, eval.output)
    let modelOptions = [
      "-a", "mega_lra_listop", "--task", "lra-text", "--input-type", "text", "--encoder-layers",
      "2", "--encoder-embed-dim", "16", "--encoder-hidden-dim", "24", "--encoder-ffn-embed-dim",
      "32", "--z-dim", "8", "--n-dim", "4", "--chunk-size", "8", "--max-positions", "64",
      "--activation-fn", "silu", "--attention-activation-fn", "softmax", "--norm-type",
      "scalenorm", "--sen-rep-type", "mp", "--dropout", "0.1", "--attention-dropout", "0.0",
      "--act-dropout", "0.0", "--vocab-size", "25", "--classifier-out-dim", "160",
    ]
    let train = try SeqboatJob.run(
      ranks: nil,
      ["train", data] + modelOptions + [
        "--criterion", "lra_cross_entropy", "--optimizer", "adam", "--lr", "0.001",
        "--adam-betas", "(0.9, 0.98)", "--weight-decay", "0.01", "--clip-norm", "1.0",
        "--batch-size", "64", "--sentence-avg", "--max-update", "3", "--save-dir",
        folder.appendingPathComponent("run").path, "--restore-file", model,
      ])
    XCTAssertEqual(train.exitCode, 0, train.output)
    XCTAssertEqual(train.lines(containing: "(epoch 3, 2 updates").count, 1, train.output)
    XCTAssertEqual(train.lines(containing: "done training: 3 updates").count, 1, train.output)
  }
}
