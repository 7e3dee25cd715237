import COpenBLAS

/// Row-major single-precision GEMM through OpenBLAS: `C = alpha·op(A)·op(B) + beta·C`,
/// with `op(A)` m×k and `op(B)` k×n. Leading dimensions are those of the stored (untransposed) arrays.
@inline(__always)
public func sgemm(
  transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
  beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
  guard m > 0, n > 0 else { return }
  if k == 0 {
    // As in BLAS, beta = 0 overwrites C without reading it (it may be uninitialised).
    if beta != 1 {
      for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : c[i * ldc + j] * beta } }
    }
    return
  }
  cblas_sgemm(
    CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// `sgemm` with the rows of C (and of op(A)) cut into chunks that depend on `m` alone (at most
/// 16, multiples of 64 rows), run on `parallelism`'s threads, each chunk one single-threaded
/// OpenBLAS call: the bits do not depend on the thread count. OpenBLAS's own threads stay at 1
/// (`BLAS.setThreads(1)`) wherever our threads run.
public func sgemm(
  _ parallelism: Parallelism, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
  c: UnsafeMutablePointer<Float>, ldc: Int
) {
  let chunk = max(64, ((m + 15) / 16 + 63) / 64 * 64)
  parallelism.forEach((m + chunk - 1) / chunk) { i, _ in
    let r0 = i * chunk
    sgemm(
      transA: transA, transB: transB, m: min(chunk, m - r0), n: n, k: k,
      a: transA ? a + r0 : a + r0 * lda, lda: lda, b: b, ldb: ldb, beta: beta, c: c + r0 * ldc,
      ldc: ldc)
  }
}

/// OpenBLAS thread control and identification.
public enum BLAS {
  /// Sets the number of threads OpenBLAS uses.
  public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
  /// The kernel family OpenBLAS selected (e.g. "Haswell", "Cooperlake").
  public static var coreName: String { String(cString: openblas_get_corename()) }
}
