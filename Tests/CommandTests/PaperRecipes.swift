import Training

/// One configuration of the Mega or SeqBoat paper and the job script that must reproduce it.
/// The values are copied from MODEL.md 6.5 by hand, independently of the scripts, so a script that
/// drifts from the paper fails `JobRecipeTests`.
struct PaperRecipe {
  /// The script, relative to the repository root.
  let script: String
  /// The `--arch` preset.
  let arch: String
  /// The dataset file name (DATASETS.md).
  let data: String
  /// Mega chunk size C (−1: no chunking) or SeqBoat window W.
  let chunk: Int
  /// Global batch: sentences (classification) or blocks of `tokensPerSample` tokens (LM).
  let batch: Int
  /// Micro-batches per update (the reference's, so batch-norm groups and SeqBoat decisions match).
  let updateFreq: Int
  /// Updates, also the linear-decay horizon (`--total-num-update`).
  let updates: Int
  /// Peak learning rate.
  let lr: Double
  /// Decoupled weight decay.
  let weightDecay: Double
  /// Warmup updates.
  let warmup: Int
  /// Warmup start learning rate.
  let warmupInitLR: Double
  /// Warmup power (1 is the default and is not passed).
  let warmupPower: Int
  /// dropout, attention dropout, act dropout (both `--hidden-dropout`, on the values, and
  /// `--activation-dropout`, in the NFFN: equal in every recipe).
  let dropout: (Double, Double, Double)
  /// `adam` or `radam`.
  let optimizer: String
  /// Gradient-norm clip.
  let clip: Double
  /// LM block length; nil for classification.
  let tokensPerSample: Int?
  /// LM `--sample-break-mode` (Mega: complete, SeqBoat: none); nil for classification.
  let breakMode: String?
  /// Batch norm whose statistics must span the whole micro-batch across ranks.
  let syncBN: Bool
  /// `#SBATCH --ntasks`.
  let ranks: Int
}

extension PaperRecipe {
  /// Every configuration: Mega and Mega-chunk on the six LRA tasks, SeqBoat on the six LRA tasks,
  /// Speech Commands (Mega base, big; SeqBoat), enwik8 (Mega, SeqBoat), WikiText-103 (Mega).
  static let all: [PaperRecipe] = [
    lra(
      "lra/listops-mega", "mega_lra_listop", "listops.h5", chunk: -1, batch: 64, freq: 1,
      updates: 90_000, lr: 1e-3, wd: 0.01, warmup: 3000, drop: 0.1, bn: false, ranks: 32),
    lra(
      "lra/listops-mega-chunk", "mega_lra_listop", "listops.h5", chunk: 128, batch: 64, freq: 1,
      updates: 90_000, lr: 1e-3, wd: 0.01, warmup: 3000, drop: 0.1, bn: false, ranks: 32),
    lra(
      "lra/text-mega", "mega_lra_imdb", "text.h5", chunk: -1, batch: 50, freq: 2,
      updates: 25_000, lr: 4e-3, wd: 0.01, warmup: 10_000, drop: 0.1, bn: false, ranks: 25),
    lra(
      "lra/text-mega-chunk", "mega_lra_imdb", "text.h5", chunk: 128, batch: 50, freq: 2,
      updates: 25_000, lr: 4e-3, wd: 0.01, warmup: 10_000, drop: 0.1, bn: false, ranks: 25),
    lra(
      "lra/retrieval-mega", "mega_lra_aan", "retrieval.h5", chunk: -1, batch: 64, freq: 8,
      updates: 91_960, lr: 3e-3, wd: 0.04, warmup: 10_000, drop: 0.1, bn: false, ranks: 8),
    lra(
      "lra/retrieval-mega-chunk", "mega_lra_aan", "retrieval.h5", chunk: 128, batch: 64, freq: 8,
      updates: 91_960, lr: 3e-3, wd: 0.04, warmup: 10_000, drop: 0.1, bn: false, ranks: 8),
    lra(
      "lra/image-mega", "mega_lra_cifar10", "image.h5", chunk: 1024, batch: 50, freq: 1,
      updates: 180_000, lr: 1e-2, wd: 0.02, warmup: 9000, drop: 0, bn: true, ranks: 25),
    lra(
      "lra/image-mega-chunk", "mega_lra_cifar10", "image.h5", chunk: 128, batch: 50, freq: 1,
      updates: 180_000, lr: 1e-2, wd: 0.02, warmup: 9000, drop: 0, bn: true, ranks: 25),
    lra(
      "lra/pathfinder-mega", "mega_lra_pf32", "pathfinder.h5", chunk: 1024, batch: 128, freq: 1,
      updates: 250_000, lr: 1e-2, wd: 0.01, warmup: 50_000, drop: 0, bn: true, ranks: 32),
    lra(
      "lra/pathfinder-mega-chunk", "mega_lra_pf32", "pathfinder.h5", chunk: 128, batch: 128,
      freq: 1, updates: 250_000, lr: 1e-2, wd: 0.01, warmup: 50_000, drop: 0, bn: true, ranks: 32),
    lra(
      "lra/pathx-mega", "mega_lra_pf128", "pathx.h5", chunk: 16384, batch: 128, freq: 8,
      updates: 125_000, lr: 1e-2, wd: 0.01, warmup: 25_000, power: 2, drop: 0, bn: true,
      ranks: 16),
    lra(
      "lra/pathx-mega-chunk", "mega_lra_pf128", "pathx.h5", chunk: 4096, batch: 128, freq: 8,
      updates: 125_000, lr: 1e-2, wd: 0.01, warmup: 25_000, power: 2, drop: 0, bn: true,
      ranks: 16),
    lra(
      "lra/listops-seqboat", "slag_lra_listop", "listops.h5", chunk: 128, batch: 64, freq: 1,
      updates: 90_000, lr: 4e-3, wd: 0.001, warmup: 27_000, drop: 0.1, bn: false, ranks: 32),
    lra(
      "lra/text-seqboat", "slag_lra_imdb", "text.h5", chunk: 128, batch: 50, freq: 1,
      updates: 25_000, lr: 4e-3, wd: 0.01, warmup: 10_000, drop: 0.1, bn: false, ranks: 25),
    lra(
      "lra/retrieval-seqboat", "slag_lra_aan", "retrieval.h5", chunk: 128, batch: 64, freq: 8,
      updates: 91_960, lr: 3e-3, wd: 0.04, warmup: 10_000, drop: 0.1, bn: false, ranks: 8),
    lra(
      "lra/image-seqboat", "slag_lra_cifar10", "image.h5", chunk: 128, batch: 50, freq: 1,
      updates: 180_000, lr: 1e-2, wd: 0.02, warmup: 9000, drop: 0, bn: true, ranks: 25),
    lra(
      "lra/pathfinder-seqboat", "slag_lra_pf32", "pathfinder.h5", chunk: 128, batch: 128,
      freq: 1, updates: 250_000, lr: 1e-2, wd: 0.01, warmup: 50_000, drop: 0, bn: true, ranks: 32),
    lra(
      "lra/pathx-seqboat", "slag_lra_pf128_base", "pathx.h5", chunk: 256, batch: 128, freq: 8,
      updates: 125_000, lr: 1e-2, wd: 0.01, warmup: 25_000, power: 2, drop: 0, bn: true,
      ranks: 16),
    lra(
      "sc/sc-mega-base", "mega_sc_raw_base", "sc10.h5", chunk: 1000, batch: 20, freq: 1,
      updates: 250_000, lr: 1e-2, wd: 0.01, warmup: 10_000, drop: 0, bn: true, ranks: 20),
    lra(
      "sc/sc-mega-big", "mega_sc_raw_big", "sc10.h5", chunk: 1000, batch: 20, freq: 1,
      updates: 250_000, lr: 8e-3, wd: 0.01, warmup: 10_000, drop: 0, bn: true, ranks: 20),
    lra(
      "sc/sc-seqboat", "slag_sc_raw_base", "sc10.h5", chunk: 128, batch: 20, freq: 1,
      updates: 250_000, lr: 1e-2, wd: 0.01, warmup: 10_000, drop: 0, bn: true, ranks: 20),
    lm(
      "lm/enwik8-mega", "mega_lm_enwik8_base", "enwik8.h5", chunk: 2048, tokens: 8192, batch: 8,
      optimizer: "adam", warmupInitLR: 1e-7, dropout: (0.1, 0, 0), breakMode: "complete", ranks: 8),
    lm(
      "lm/enwik8-seqboat", "slag_lm_enwik8_base_v2", "enwik8.h5", chunk: 1024, tokens: 8192,
      batch: 8, optimizer: "radam", warmupInitLR: 2e-3, dropout: (0.15, 0, 0), breakMode: "none",
      ranks: 8),
    lm(
      "lm/wt103-mega", "mega_lm_adaptive_big", "wikitext103.h5", chunk: 1024, tokens: 6144,
      batch: 24, optimizer: "adam", warmupInitLR: 1e-7, dropout: (0.3, 0.1, 0.1),
      breakMode: "complete", ranks: 24),
  ]

  /// An LRA or Speech Commands recipe: Adam, clip 1.0, warmup from 1e-7, attention and act
  /// dropout 0.
  private static func lra(
    _ name: String, _ arch: String, _ data: String, chunk: Int, batch: Int, freq: Int, updates: Int,
    lr: Double, wd: Double, warmup: Int, power: Int = 1, drop: Double, bn: Bool, ranks: Int
  ) -> PaperRecipe {
    PaperRecipe(
      script: "jobs/\(name).sbatch", arch: arch, data: data, chunk: chunk, batch: batch,
      updateFreq: freq, updates: updates, lr: lr, weightDecay: wd, warmup: warmup,
      warmupInitLR: 1e-7, warmupPower: power, dropout: (drop, 0, 0), optimizer: "adam", clip: 1.0,
      tokensPerSample: nil, breakMode: nil, syncBN: bn, ranks: ranks)
  }

  /// A language-model recipe: 400k updates, lr 5e-3, wd 0.1, 24k warmup, clip 0.25, one block per
  /// rank of the reference.
  private static func lm(
    _ name: String, _ arch: String, _ data: String, chunk: Int, tokens: Int, batch: Int,
    optimizer: String, warmupInitLR: Double, dropout: (Double, Double, Double), breakMode: String,
    ranks: Int
  ) -> PaperRecipe {
    PaperRecipe(
      script: "jobs/\(name).sbatch", arch: arch, data: data, chunk: chunk, batch: batch,
      updateFreq: 1, updates: 400_000, lr: 5e-3, weightDecay: 0.1, warmup: 24_000,
      warmupInitLR: warmupInitLR, warmupPower: 1, dropout: dropout, optimizer: optimizer,
      clip: 0.25, tokensPerSample: tokens, breakMode: breakMode, syncBN: false, ranks: ranks)
  }

  /// The run name: the script's file name without `.sbatch`.
  var runName: String {
    String(script.split(separator: "/").last!.dropLast(".sbatch".count))
  }

  /// fairseq's chunk option of the model: `--decoder-chunk-size` for language models.
  var chunkFlag: String { tokensPerSample == nil ? "--chunk-size" : "--decoder-chunk-size" }

  /// The training flags the script must pass (paths and seed excluded), switches mapped to "".
  var expectedFlags: [String: String] {
    var flags = [
      "--arch": arch, chunkFlag: "\(chunk)", "--batch-size": "\(batch)",
      "--update-freq": "\(updateFreq)", "--max-update": "\(updates)",
      "--total-num-update": "\(updates)", "--lr": "\(lr)", "--weight-decay": "\(weightDecay)",
      "--warmup-updates": "\(warmup)", "--warmup-init-lr": "\(warmupInitLR)",
      "--dropout": "\(dropout.0)", "--attention-dropout": "\(dropout.1)",
      "--optimizer": optimizer, "--adam-betas": "(0.9, 0.98)",
      "--adam-eps": "1e-8", "--clip-norm": "\(clip)", "--lr-scheduler": "linear_decay",
      "--end-learning-rate": "0",
    ]
    let recipe = TrainCommandLine(words: ["seqboat", "train"] + PaperRecipeOptions.words(arch))
    flags.merge(recipe?.flags ?? ["unparsable recipe of \(arch)": ""]) { $1 }
    if tokensPerSample == nil {
      flags["--act-dropout"] = "\(dropout.2)"
    } else {
      flags["--hidden-dropout"] = "\(dropout.2)"
      flags["--activation-dropout"] = "\(dropout.2)"
    }
    if warmupPower != 1 { flags["--warmup-power"] = "\(warmupPower)" }
    if let tokens = tokensPerSample { flags["--tokens-per-sample"] = "\(tokens)" }
    if let mode = breakMode {
      flags["--sample-break-mode"] = mode
      flags["--no-epoch-checkpoints"] = ""
    }
    if syncBN { flags["--sync-bn"] = "" }
    return flags
  }
}
