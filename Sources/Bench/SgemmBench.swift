import Tensor

/// The reference speed of this machine: OpenBLAS sgemm of n×n×n, fastest of a few runs, in
/// GFLOP/s (2n³ FLOPs per product) of wall-clock time and of CPU time.
public enum SgemmBench {
  /// GFLOP/s of `repeats` sgemm of size `n` after one warm-up, fastest run (wall, CPU).
  public static func gflops(size n: Int = 2048, repeats: Int = 3) -> (wall: Double, cpu: Double) {
    var rng = SplitMix64(seed: 7)
    let a = (0..<(n * n)).map { _ in Float(rng.uniform()) - 0.5 }
    let b = (0..<(n * n)).map { _ in Float(rng.uniform()) - 0.5 }
    var c = [Float](repeating: 0, count: n * n)
    let times = a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        c.withUnsafeMutableBufferPointer { cp in
          BenchClock.times(warmup: 1, repeats: repeats) {
            sgemm(
              transA: false, transB: false, m: n, n: n, k: n, a: ap.baseAddress!, lda: n,
              b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n)
          }
        }
      }
    }
    let flops = 2 * Double(n * n * n)
    return (flops / times.wall.min()! / 1e9, flops / times.cpu.min()! / 1e9)
  }
}
