/// The settings of Mega's own language-model evaluation (`eval_mega_lm.py`, MODEL.md §5.9) under
/// the reference's flag names: how the split is cut into blocks (`--valid-block`), the attention
/// chunk at test time (`--test-chunk-size`) and the chunks per segment (`--chunk-nums`).
public struct MegaLMEvalOptions: Equatable, Sendable {
  /// How the split is cut into blocks of whole lines (`--valid-block`).
  public enum ValidBlock: Equatable, Sendable, CustomStringConvertible {
    /// `splits:N`: blocks of at most ⌈T/N⌉ tokens (T the split's tokens).
    case splits(Int)
    /// `size:N`: blocks of at most N tokens.
    case size(Int)

    /// `splits:N` or `size:N`; throws naming `--valid-block` otherwise.
    public init(parsing text: String) throws {
      let parts = text.split(separator: ":", omittingEmptySubsequences: false)
      guard parts.count == 2, let n = Int(parts[1]), n > 0 else {
        throw TrainingError("--valid-block '\(text)': expected splits:N or size:N with N > 0")
      }
      switch parts[0] {
      case "splits": self = .splits(n)
      case "size": self = .size(n)
      default:
        throw TrainingError("--valid-block '\(text)': expected splits:N or size:N with N > 0")
      }
    }

    public var description: String {
      switch self {
      case .splits(let n): return "splits:\(n)"
      case .size(let n): return "size:\(n)"
      }
    }
  }

  /// Blocks of whole lines, each evaluated from a fresh state.
  public var validBlock: ValidBlock
  /// Attention chunk at test time.
  public var testChunkSize: Int
  /// Chunks per segment (one forward pass).
  public var chunkNums: Int

  /// Explicit settings.
  public init(validBlock: ValidBlock, testChunkSize: Int, chunkNums: Int) {
    self.validBlock = validBlock
    self.testChunkSize = testChunkSize
    self.chunkNums = chunkNums
  }

  /// The published settings for a dataset task (MODEL.md §5.9): enwik8 `splits:50`, 4096 × 3;
  /// WikiText-103 `splits:10`, 2048 × 2; nil for other tasks.
  public static func defaults(task: String) -> MegaLMEvalOptions? {
    switch task {
    case "enwik8":
      return MegaLMEvalOptions(validBlock: .splits(50), testChunkSize: 4096, chunkNums: 3)
    case "wikitext103":
      return MegaLMEvalOptions(validBlock: .splits(10), testChunkSize: 2048, chunkNums: 2)
    default: return nil
    }
  }

  /// Values given on the command line; nil takes the dataset task's default.
  public struct Request: Equatable, Sendable {
    /// `--valid-block` as typed.
    public var validBlock: String?
    /// `--test-chunk-size`.
    public var testChunkSize: Int?
    /// `--chunk-nums`.
    public var chunkNums: Int?

    /// A request; every value optional.
    public init(validBlock: String? = nil, testChunkSize: Int? = nil, chunkNums: Int? = nil) {
      self.validBlock = validBlock
      self.testChunkSize = testChunkSize
      self.chunkNums = chunkNums
    }
  }

  /// The settings of `request` on a dataset of `task`: each given value, else the task's
  /// default; throws naming the flag when a value is missing (no default) or not positive.
  public init(_ request: Request, task: String) throws {
    let fallback = MegaLMEvalOptions.defaults(task: task)
    func missing(_ flag: String) -> TrainingError {
      TrainingError("\(flag): no default for dataset task '\(task)'; give a value")
    }
    func positive(_ given: Int?, _ flag: String, _ preset: Int?) throws -> Int {
      guard let v = given ?? preset else { throw missing(flag) }
      guard v > 0 else { throw TrainingError("\(flag) \(v) must be > 0") }
      return v
    }
    guard let block = try request.validBlock.map(ValidBlock.init(parsing:)) ?? fallback?.validBlock
    else { throw missing("--valid-block") }
    self.init(
      validBlock: block,
      testChunkSize: try positive(
        request.testChunkSize, "--test-chunk-size", fallback?.testChunkSize),
      chunkNums: try positive(request.chunkNums, "--chunk-nums", fallback?.chunkNums))
  }

  /// Tokens per forward pass: `testChunkSize × chunkNums`.
  public var segmentLength: Int { testChunkSize * chunkNums }
}
