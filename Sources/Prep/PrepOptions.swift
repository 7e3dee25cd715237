/// What `seqboat prep` was asked to do (DATASETS.md 5); options a task does not use are ignored.
public struct PrepOptions: Sendable {
  /// The raw download: a file, an archive or a directory, depending on the task.
  public var raw: String
  /// The dataset file to write.
  public var out: String
  /// Truncation limit including eos (token tasks); nil = the task's default.
  public var maxLength: Int?
  /// Seed of validation carve-outs and stratified splits; nil = the task's default.
  public var splitSeed: Int64?
  /// A file of explicit validation indices, one per line (image, pathfinder, pathx, sc10).
  public var splitIndices: String?
  /// `mega` or `official` (sc10).
  public var splitMode: String
  /// Store `audio_scale` 2^-15 instead of 2^-30 (sc10).
  public var unitScale: Bool
  /// The difficulty folder (pathfinder, pathx).
  public var difficulty: String
  /// Bytes held out for each of valid and test (enwik8).
  public var holdoutBytes: Int
  /// Shuffle + deflate the bulk arrays.
  public var compress: Bool

  /// Options with every task default.
  public init(raw: String, out: String) {
    self.raw = raw
    self.out = out
    maxLength = nil
    splitSeed = nil
    splitIndices = nil
    splitMode = "mega"
    unitScale = false
    difficulty = "curv_contour_length_14"
    holdoutBytes = 5_000_000
    compress = false
  }
}

/// What a conversion wrote, for the summary printed at the end.
public struct PrepSummary: CustomStringConvertible, Sendable {
  /// Figures of one split.
  public struct Split: Sendable {
    /// `train`, `valid` or `test`.
    public var name: String
    /// Examples (or lines for language modelling).
    public var examples: Int
    /// Tokens, when the task has tokens.
    public var tokens: Int?
    /// Examples cut at `max_length`.
    public var truncated: Int
    /// Tokens mapped to `<unk>`.
    public var unknown: Int
    /// A note such as "same examples as test".
    public var note: String

    /// Figures of a split.
    public init(
      name: String, examples: Int, tokens: Int? = nil, truncated: Int = 0, unknown: Int = 0,
      note: String = ""
    ) {
      self.name = name
      self.examples = examples
      self.tokens = tokens
      self.truncated = truncated
      self.unknown = unknown
      self.note = note
    }
  }

  /// The task id.
  public var task: String
  /// The file written.
  public var path: String
  /// The splits.
  public var splits: [Split]
  /// V, for token tasks.
  public var vocabSize: Int?
  /// Raw bytes read, for throughput figures.
  public var rawBytes: Int

  /// A few lines: the file, the vocabulary size, one line per split.
  public var description: String {
    var lines = ["wrote \(path) (task \(task))"]
    if let vocabSize { lines.append("vocabulary: \(vocabSize) symbols") }
    for split in splits {
      var line = "\(split.name): \(split.examples) examples"
      if let tokens = split.tokens { line += ", \(tokens) tokens" }
      line += ", \(split.truncated) truncated"
      if split.unknown > 0 { line += ", \(split.unknown) <unk>" }
      if !split.note.isEmpty { line += " (\(split.note))" }
      lines.append(line)
    }
    return lines.joined(separator: "\n")
  }
}
