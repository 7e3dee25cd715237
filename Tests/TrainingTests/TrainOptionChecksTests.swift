import TestSupport
import XCTest

@testable import Training

/// `seqboat train`'s own options: ranges, and options that the chosen scheduler or precision never
/// reads, refused with one line naming the flag before any work.
final class TrainOptionChecksTests: XCTestCase {
  func refused(_ change: (inout TrainOptions) -> Void, _ message: String) {
    var o = TrainOptions()
    change(&o)
    XCTAssertThrowsError(try o.validate()) { XCTAssertEqual("\($0)", message) }
  }

  func testOutOfRangeValues() throws {
    XCTAssertNoThrow(try TrainOptions().validate())
    refused({ $0.maxUpdate = -5 }, "--max-update -5 is out of range: must be >= 0")
    refused({ $0.lr = -1 }, "--lr -1.0 is out of range: must be finite and >= 0")
    refused({ $0.lr = .nan }, "--lr nan is out of range: must be finite and >= 0")
    refused(
      { $0.weightDecay = -0.1 }, "--weight-decay -0.1 is out of range: must be finite and >= 0")
    refused({ $0.clipNorm = -1 }, "--clip-norm -1.0 is out of range: must be finite and >= 0")
    refused({ $0.logInterval = 0 }, "--log-interval 0 is out of range: must be >= 1")
    refused({ $0.batchSizeValid = -2 }, "--batch-size-valid -2 is out of range: must be >= 0")
    refused({ $0.keepIntervalUpdates = -3 }, "--keep-interval-updates -3 is out of range: >= -1")
    refused({ $0.maxTokens = 0 }, "--max-tokens 0 is out of range: must be >= 1")
    refused({ $0.saveInterval = 0 }, "--save-interval 0 is out of range: must be >= 1")
    refused({ $0.validateInterval = -1 }, "--validate-interval -1 is out of range: must be >= 1")
    refused(
      { $0.validBlock = "chunks:3" },
      "--valid-block 'chunks:3': expected splits:N or size:N with N > 0")
    refused({ $0.batchSize = 0 }, "--batch-size 0 is out of range: must be >= 1")
    XCTAssertNoThrow(
      try {
        var o = TrainOptions()
        o.maxTokens = 512
        o.batchSize = 0
        try o.validate()
      }())
    refused(
      {
        $0.fp16 = true
        $0.minLossScale = -1
      }, "--min-loss-scale -1.0 is out of range: must be finite and > 0")
  }

  func testOptionsNothingReads() throws {
    refused(
      {
        $0.lrScheduler = "cosine"
        $0.warmupPower = 2
      }, "--warmup-power is an option of --lr-scheduler linear_decay, not cosine")
    refused({ $0.tMult = 2 }, "--t-mult is an option of --lr-scheduler cosine, not linear_decay")
    var classifier = TrainOptions()
    classifier.tokensPerSample = 1024
    XCTAssertThrowsError(try classifier.checkTask(languageModel: false)) {
      XCTAssertEqual(
        "\($0)", "--tokens-per-sample is an option of --task language_modeling, not of classifiers")
    }
    XCTAssertNoThrow(try classifier.checkTask(languageModel: true))
  }

  /// fairseq's fp16 options belong to its common parser: accepted without `--fp16`, with a note.
  func testFP16OptionsWithoutFP16AreNoted() throws {
    var full = TrainOptions()
    full.fp16InitScale = 64
    XCTAssertNoThrow(try full.validate())
    XCTAssertEqual(full.notes(), ["note: --fp16-init-scale has no effect without --fp16"])
    full.fp16 = true
    XCTAssertEqual(full.notes(), [])
  }

  /// Under `mpirun -np 2` a bad flag is one line, exit status 1, and no MPI_Abort banner.
  func testBadFlagIsOneLineBeforeMPI() throws {
    let job = try SeqboatJob.run(
      ranks: 2, ["train", "--arch", "mega_lra_listop", "--data", "x.h5", "--max-update=-5"],
      limit: 60)
    XCTAssertNotEqual(job.exitCode, 0)
    let lines = job.output.split(separator: "\n").filter { $0.contains("seqboat: train:") }
    XCTAssertEqual(lines, ["seqboat: train: --max-update -5 is out of range: must be >= 0"])
    XCTAssertFalse(job.output.contains("MPI_ABORT"), job.output)
  }
}
