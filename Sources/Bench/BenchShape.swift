import Models
import Training

/// A benchmark configuration: a preset architecture at a fixed batch shape (issue 8's table).
public struct BenchShape {
  /// The configuration's name (`--config`).
  public let name: String
  /// The model's hyperparameters (the preset, with the bench's overrides).
  public let config: ModelConfig
  /// Sequences per step (on each rank).
  public let batch: Int
  /// Tokens per sequence.
  public let length: Int

  /// A configuration of `config` at `batch × length`.
  public init(name: String, config: ModelConfig, batch: Int, length: Int) {
    self.name = name
    self.config = config
    self.batch = batch
    self.length = length
  }

  /// Every named configuration, in the table's order.
  public static let names = [
    "mega_listops", "mega_listops_c128", "mega_image", "mega_sc", "mega_enwik8", "mega_wt103",
    "seqboat_listops", "seqboat_image", "seqboat_sc", "seqboat_enwik8",
  ]

  /// The named configuration; throws for an unknown name.
  public static func named(_ name: String) throws -> BenchShape {
    // The paper's configuration of each arch (its recipe options, chunk and dropout), as the
    // issue-8 table measured it.
    let noAttentionDropout = ["--attention-dropout", "0"]
    let pixels = ["--dropout", "0"] + noAttentionDropout
    let table: [String: (arch: String, batch: Int, length: Int, words: [String])] = [
      "mega_listops": ("mega_lra_listop", 4, 2000, noAttentionDropout),
      "mega_listops_c128": (
        "mega_lra_listop", 4, 2048, noAttentionDropout + ["--chunk-size", "128"]
      ),
      "mega_image": ("mega_lra_cifar10", 8, 1024, pixels),
      "mega_sc": ("mega_sc_raw_base", 2, 16000, []),
      "mega_enwik8": ("mega_lm_enwik8_base", 2, 1024, ["--decoder-chunk-size", "2048"]),
      "mega_wt103": ("mega_lm_adaptive_big", 1, 1024, ["--decoder-chunk-size", "1024"]),
      "seqboat_listops": (
        "slag_lra_listop", 4, 2000, noAttentionDropout + ["--chunk-size", "128"]
      ),
      "seqboat_image": ("slag_lra_cifar10", 8, 1024, pixels + ["--chunk-size", "128"]),
      "seqboat_sc": ("slag_sc_raw_base", 2, 16000, ["--chunk-size", "128"]),
      "seqboat_enwik8": (
        "slag_lm_enwik8_base_v2", 2, 1024, ["--decoder-chunk-size", "1024", "--dropout", "0.15"]
      ),
    ]
    guard let entry = table[name] else {
      throw TrainingError(
        "--config '\(name)' is not a bench configuration (known: \(names.joined(separator: ", ")))"
      )
    }
    let words = PaperRecipeOptions.words(entry.arch) + entry.words
    var config = try ModelArgs.config(
      arch: entry.arch, values: ModelFlags.entries(arch: entry.arch, words: words))
    config.maxPositions = max(config.maxPositions, entry.length)
    return BenchShape(name: name, config: config, batch: entry.batch, length: entry.length)
  }

  /// Tokens per step (batch × length).
  public var tokens: Int { batch * length }
}
