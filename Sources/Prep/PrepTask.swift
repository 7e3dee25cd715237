import Data

/// The tasks `seqboat prep` converts (DATASETS.md 1).
public enum PrepTask: String, CaseIterable, Sendable {
  case listops, text, retrieval, image, pathfinder, pathx, sc10, wikitext103, enwik8

  /// Converts the raw download named in `options` and writes `options.out`; progress on stderr
  /// when `progress`. A failure leaves no output file.
  public func convert(_ options: PrepOptions, progress: Bool = true) throws -> PrepSummary {
    switch self {
    case .listops: return try ListOpsConverter.convert(options, progress: progress)
    case .text: return try TextConverter.convert(options, progress: progress)
    case .retrieval: return try RetrievalConverter.convert(options, progress: progress)
    case .image: return try ImageConverter.convert(options, progress: progress)
    case .pathfinder:
      return try PathfinderConverter.convert(
        options, task: "pathfinder", side: 32, progress: progress)
    case .pathx:
      return try PathfinderConverter.convert(options, task: "pathx", side: 128, progress: progress)
    case .sc10: return try SC10Converter.convert(options, progress: progress)
    case .wikitext103: return try WikiTextConverter.convert(options, progress: progress)
    case .enwik8: return try Enwik8Converter.convert(options, progress: progress)
    }
  }
}
