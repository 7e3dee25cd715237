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
    default: throw DataError("prep \(rawValue): not available yet")
    }
  }
}
