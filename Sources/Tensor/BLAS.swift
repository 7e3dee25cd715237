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

/// OpenBLAS thread control and identification.
public enum BLAS {
  /// Sets the number of threads OpenBLAS uses.
  public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
  /// The kernel family OpenBLAS selected (e.g. "Haswell", "Cooperlake").
  public static var coreName: String { String(cString: openblas_get_corename()) }
}
