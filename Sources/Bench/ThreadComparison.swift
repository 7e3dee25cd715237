/// `seqboat bench --threads 1,2`: the speed of each thread count against the first, measured in
/// the same run. Besides the wall-clock ratio of tokens/s it gives the CPU-time figures that other
/// load on a shared machine does not move: the CPU time per step against the first count's (1.00:
/// the threads add no work) and the threads busy on average (CPU time over wall time).
public enum ThreadComparison {
  /// One line per phase (train, forward) and thread count after the first.
  public static func lines(_ results: [BenchResult]) -> [String] {
    guard let base = results.first else { return [] }
    var out: [String] = []
    for r in results.dropFirst() {
      let phases = [
        (
          "train", r.trainTokensPerSecond, base.trainTokensPerSecond, r.trainCPUMs, base.trainCPUMs,
          r.trainMs
        ),
        (
          "forward", r.forwardTokensPerSecond, base.forwardTokensPerSecond, r.forwardCPUMs,
          base.forwardCPUMs, r.forwardMs
        ),
      ]
      for (name, tps, baseTps, cpu, baseCPU, wall) in phases {
        let workRatio = cpu / max(baseCPU, 1e-9)
        out.append(
          "threads \(r.threads) vs \(base.threads), \(name): \(fixed(tps, 0)) vs "
            + "\(fixed(baseTps, 0)) tok/s = \(fixed(tps / max(baseTps, 1e-9), 2))×; CPU time per "
            + "step \(fixed(cpu, 1)) vs \(fixed(baseCPU, 1)) ms (\(fixed(workRatio, 2))×), "
            + "threads busy \(fixed(cpu / max(wall, 1e-9), 2)) of \(r.threads); CPU-time bound "
            + "\(fixed(Double(r.threads) / max(workRatio, 1e-9) / Double(base.threads), 2))×")
      }
    }
    return out
  }
}
