/// Checks one golden file of a given kind: builds the module from the file's config, runs it and
/// returns one comparison per dataset under `/outputs` and `/grads` (or the kind's equivalent).
public typealias GoldenRunner = (GoldenFile) throws -> [GoldenComparison]

/// The golden kinds the engine supports, by the file's `kind` attribute. Each kind lives in its
/// own file; a new kind adds one entry here.
public enum GoldenRegistry {
  /// Runner per kind.
  public static let runners: [String: GoldenRunner] = [
    "ema": { try EMAGoldenCase.run($0, outputSilu: true) },
    "seqboat_ema": { try EMAGoldenCase.run($0, outputSilu: false) },
    "norm": NormGoldenCase.run,
    "nffn": NFFNGoldenCase.run,
    "mega_attention": MegaGoldenCase.attention,
    "mega_encoder_layer": MegaGoldenCase.encoderLayer,
    "mega_decoder_layer": MegaGoldenCase.decoderLayer,
    "seqboat_encoder_layer": SeqBoatGoldenCase.encoderLayer,
    "seqboat_decoder_layer": SeqBoatGoldenCase.decoderLayer,
    "model_lra": ModelGoldenCase.run,
    "model_sc": ModelGoldenCase.run,
    "model_lm": ModelGoldenCase.run,
    "train_trajectory": TrajectoryGoldenCase.run,
  ]
}
