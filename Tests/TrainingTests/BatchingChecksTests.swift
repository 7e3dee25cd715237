import Models
import Training
import XCTest

/// The batching and block options are honoured where the reference honours them and refused,
/// with one line naming them, everywhere else.
final class BatchingChecksTests: XCTestCase {
  func refused(_ o: TrainOptions, _ config: ModelConfig, _ message: String) {
    XCTAssertThrowsError(
      try {
        try RunChecks.batching(o, config: config, worldSize: 1)
        _ = try EpochPlan.variantBlocks(o, config: config)
      }()
    ) { XCTAssertEqual("\($0)", message) }
  }

  func testBatchingOptionsOutsideTheirModels() throws {
    let classifier = try ModelConfig.preset("mega_lra_listop")
    let mega = try ModelConfig.preset("mega_lm_enwik8_base")
    var o = TrainOptions()
    o.maxTokens = 512
    refused(
      o, classifier,
      "--max-tokens 512: token batches are implemented for language models; give --batch-size")
    XCTAssertNoThrow(try RunChecks.batching(o, config: mega, worldSize: 2))
    o = TrainOptions()
    o.batchSize = 25
    o.requiredBatchSizeMultiple = 8
    refused(
      o, classifier,
      "--required-batch-size-multiple 8: fairseq would cut --batch-size 25 to batches of 24; "
        + "give a multiple")
    o.batchSize = 4
    XCTAssertNoThrow(try RunChecks.batching(o, config: classifier, worldSize: 1), "fewer rows")
    o = TrainOptions()
    o.validBlock = "splits:10"
    refused(o, classifier, "--valid-block splits:10: a language-model option")
    var unchunked = mega
    unchunked.chunkSize = -1
    refused(
      o, unchunked,
      "--valid-block splits:10: validation reads one --decoder-chunk-size chunk at a time, and "
        + "the chunk is -1")
  }

  func testVariantBlocksTakeTheReferenceBase() throws {
    var mega = try ModelConfig.preset("mega_lm_enwik8_base")
    let seqboat = try ModelConfig.preset("slag_lm_enwik8_base_v2")
    var o = TrainOptions()
    o.variantBlockMultipleMin = 2
    o.variantBlockMultipleMax = 4
    refused(
      o, mega,
      "--variant-block-multiple-min 2 --variant-block-multiple-max 4: the reference varies blocks "
        + "in --sample-break-mode complete only, not none")
    o.sampleBreakMode = "complete"
    o.tokensPerSample = 100
    refused(
      o, mega,
      "--variant-block-multiple-min 2 --variant-block-multiple-max 4: a Mega model's blocks are "
        + "multiples of --decoder-chunk-size, which is -1")
    mega.chunkSize = 64
    XCTAssertEqual(try EpochPlan.variantBlocks(o, config: mega)?.base, mega.chunkSize)
    XCTAssertEqual(try EpochPlan.variantBlocks(o, config: seqboat)?.base, 100)
    refused(
      o, try ModelConfig.preset("mega_lra_listop"),
      "--variant-block-multiple-min 2 --variant-block-multiple-max 4: variable blocks are a "
        + "language-model option")
    o.variantBlockMultipleMax = 1
    refused(
      o, mega,
      "--variant-block-multiple-min 2 --variant-block-multiple-max 1: only max > 1 is implemented "
        + "(min <= max)")
  }
}
