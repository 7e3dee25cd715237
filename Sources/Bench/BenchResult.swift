/// The figures of one `seqboat bench` configuration.
public struct BenchResult {
  /// Configuration name.
  public var config: String
  /// Preset architecture.
  public var arch: String
  /// Whether the steps ran in fp16 mode.
  public var fp16: Bool
  /// OpenBLAS threads.
  public var threads: Int
  /// MPI ranks that ran the step together.
  public var ranks: Int
  /// Sequences per step and rank.
  public var batch: Int
  /// Tokens per sequence.
  public var length: Int
  /// OpenBLAS's kernel family.
  public var blasCore: String
  /// sgemm 2048³ in GFLOP/s on this rank's threads.
  public var sgemmGFLOPs: Double
  /// sgemm 2048³ in GFLOP/s of CPU time.
  public var sgemmCPUGFLOPs: Double
  /// Median training step (forward, loss, backward, all-reduce, clip, optimizer), ms.
  public var trainMs: Double
  /// Median CPU time of a training step (all threads of this process), ms.
  public var trainCPUMs: Double
  /// Model FLOPs of one training step (3 × forward, all ranks).
  public var trainFLOPs: Double
  /// Median forward pass (with the loss, no graph), ms.
  public var forwardMs: Double
  /// Median CPU time of a forward pass, ms.
  public var forwardCPUMs: Double
  /// Model FLOPs of one forward pass (all ranks).
  public var forwardFLOPs: Double
  /// SeqBoat: mean fraction of tokens the router activated, per layer run (empty for Mega; a
  /// two-input model lists the first input's layers, then the second's).
  public var activatedFraction: [Double]
  /// SeqBoat: mean compressed length over the sequence length, per layer run (1 uncompressed).
  public var compressedFraction: [Double]
  /// Peak resident set of this process, MB.
  public var peakRSSMB: Double
  /// Whether each rank kept the optimizer state of its slice only (`--zero-sharding os`).
  public var zeroSharding = false
  /// Peak resident set of every rank, MB, by rank.
  public var peakRSSPerRankMB: [Double] = []

  /// Tokens per second of training over all ranks.
  public var trainTokensPerSecond: Double { Double(ranks * batch * length) / (trainMs / 1e3) }
  /// Tokens per second of the forward pass over all ranks.
  public var forwardTokensPerSecond: Double {
    Double(ranks * batch * length) / (forwardMs / 1e3)
  }
  /// Model GFLOP/s of training, per rank.
  public var trainGFLOPs: Double { trainFLOPs / Double(ranks) / (trainMs / 1e3) / 1e9 }
  /// Model GFLOP/s of the forward pass, per rank.
  public var forwardGFLOPs: Double { forwardFLOPs / Double(ranks) / (forwardMs / 1e3) / 1e9 }
  /// Training GFLOP/s as a percentage of the sgemm's.
  public var trainPercentOfSgemm: Double { 100 * trainGFLOPs / sgemmGFLOPs }
  /// Forward GFLOP/s as a percentage of the sgemm's.
  public var forwardPercentOfSgemm: Double { 100 * forwardGFLOPs / sgemmGFLOPs }

  /// Training GFLOP/s of CPU time over the sgemm's, percent: the per-core efficiency figure that
  /// other load on the machine does not move (one thread).
  public var trainCPUPercentOfSgemm: Double {
    100 * trainFLOPs / Double(ranks) / (trainCPUMs / 1e3) / 1e9 / sgemmCPUGFLOPs
  }
  /// Forward GFLOP/s of CPU time over the sgemm's, percent.
  public var forwardCPUPercentOfSgemm: Double {
    100 * forwardFLOPs / Double(ranks) / (forwardCPUMs / 1e3) / 1e9 / sgemmCPUGFLOPs
  }

  /// The human-readable report.
  public var lines: [String] {
    var out = [
      "\(config): \(arch), \(batch) × \(length) per rank, \(ranks) rank(s), \(threads) thread(s), "
        + "OpenBLAS \(blasCore)" + (fp16 ? ", fp16" : "")
        + (zeroSharding ? ", optimizer state sharded (os)" : ""),
      "sgemm 2048³  \(fixed(sgemmGFLOPs, 1)) GFLOP/s (CPU time: \(fixed(sgemmCPUGFLOPs, 1)))",
      "train    \(fixed(trainMs, 1)) ms/step  \(fixed(trainTokensPerSecond, 0)) tok/s  "
        + "\(fixed(trainGFLOPs, 2)) GFLOP/s  \(fixed(trainPercentOfSgemm, 1)) % of sgemm  "
        + "(CPU time: \(fixed(trainCPUMs, 1)) ms, \(fixed(trainCPUPercentOfSgemm, 1)) %)",
      "forward  \(fixed(forwardMs, 1)) ms/step  \(fixed(forwardTokensPerSecond, 0)) tok/s  "
        + "\(fixed(forwardGFLOPs, 2)) GFLOP/s  \(fixed(forwardPercentOfSgemm, 1)) % of sgemm  "
        + "(CPU time: \(fixed(forwardCPUMs, 1)) ms, \(fixed(forwardCPUPercentOfSgemm, 1)) %)",
    ]
    if !activatedFraction.isEmpty {
      out.append(
        "activated fraction per layer: "
          + activatedFraction.map { fixed($0, 3) }.joined(separator: " "))
      out.append(
        "compressed length / L per layer: "
          + compressedFraction.map { fixed($0, 3) }.joined(separator: " "))
    }
    out.append(
      "peak RSS \(fixed(peakRSSMB, 0)) MB"
        + (peakRSSPerRankMB.count > 1
          ? " (per rank: " + peakRSSPerRankMB.map { fixed($0, 0) }.joined(separator: ", ") + ")"
          : ""))
    return out
  }

  /// One JSON object with every figure (numbers rounded to 4 decimals).
  public var json: String {
    func list(_ v: [Double]) -> String { "[" + v.map { fixed($0, 4) }.joined(separator: ",") + "]" }
    let fields: [(String, String)] = [
      ("config", "\"\(config)\""), ("arch", "\"\(arch)\""), ("fp16", "\(fp16)"),
      ("threads", "\(threads)"),
      ("ranks", "\(ranks)"), ("batch", "\(batch)"), ("length", "\(length)"),
      ("blas_core", "\"\(blasCore)\""), ("train_ms", fixed(trainMs, 4)),
      ("train_tokens_per_s", fixed(trainTokensPerSecond, 4)),
      ("train_gflops", fixed(trainGFLOPs, 4)), ("sgemm_gflops", fixed(sgemmGFLOPs, 4)),
      ("train_pct_of_sgemm", fixed(trainPercentOfSgemm, 4)), ("fwd_ms", fixed(forwardMs, 4)),
      ("fwd_tokens_per_s", fixed(forwardTokensPerSecond, 4)),
      ("fwd_gflops", fixed(forwardGFLOPs, 4)),
      ("fwd_pct_of_sgemm", fixed(forwardPercentOfSgemm, 4)),
      ("sgemm_cpu_gflops", fixed(sgemmCPUGFLOPs, 4)), ("train_cpu_ms", fixed(trainCPUMs, 4)),
      ("train_cpu_pct_of_sgemm", fixed(trainCPUPercentOfSgemm, 4)),
      ("fwd_cpu_ms", fixed(forwardCPUMs, 4)),
      ("fwd_cpu_pct_of_sgemm", fixed(forwardCPUPercentOfSgemm, 4)),
      ("activated_fraction", list(activatedFraction)),
      ("compressed_fraction", list(compressedFraction)), ("peak_rss_mb", fixed(peakRSSMB, 4)),
      ("zero_sharding", "\(zeroSharding)"), ("peak_rss_mb_per_rank", list(peakRSSPerRankMB)),
    ]
    return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
  }
}

/// `x` with `digits` decimals (plain notation, no exponent).
func fixed(_ x: Double, _ digits: Int) -> String {
  guard x.isFinite else { return "0" }
  var scale = 1.0
  for _ in 0..<digits { scale *= 10 }
  let scaled = (abs(x) * scale).rounded()
  let whole = Int(scaled / scale)
  let frac = Int(scaled - Double(whole) * scale)
  let sign = x < 0 && scaled > 0 ? "-" : ""
  guard digits > 0 else { return sign + String(whole) }
  let f = String(frac)
  return sign + String(whole) + "." + String(repeating: "0", count: digits - f.count) + f
}
