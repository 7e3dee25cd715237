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

/// `sgemm` with C cut into a grid of tiles that depends on the shape alone (`tileEdge`), run on
/// `parallelism`'s threads, each tile one single-threaded OpenBLAS call, on one thread too (one
/// call for all of C gives other last bits): the bits do not depend on the thread count. Cutting both dimensions keeps the threads even where one dimension is
/// short (a weight gradient has as many rows as the layer has outputs). OpenBLAS's own threads
/// stay at 1 (`BLAS.setThreads(1)`) wherever our threads run.
public func sgemm(
  _ parallelism: Parallelism, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
  c: UnsafeMutablePointer<Float>, ldc: Int
) {
  let (rowEdge, colEdge) = (tileEdge(m), tileEdge(n))
  let (rowTiles, colTiles) = ((m + rowEdge - 1) / rowEdge, (n + colEdge - 1) / colEdge)
  parallelism.forEach(rowTiles * colTiles) { tile, _ in
    let (i, j) = tile.quotientAndRemainder(dividingBy: colTiles)
    let (r0, c0) = (i * rowEdge, j * colEdge)
    sgemm(
      transA: transA, transB: transB, m: min(rowEdge, m - r0), n: min(colEdge, n - c0), k: k,
      a: transA ? a + r0 : a + r0 * lda, lda: lda, b: transB ? b + c0 * ldb : b + c0, ldb: ldb,
      beta: beta, c: c + r0 * ldc + c0, ldc: ldc)
  }
}

/// The tile edge of a dimension of `n`: a multiple of 64 (whole micro-kernel panels) cutting it
/// into at most four tiles.
@inline(__always) func tileEdge(_ n: Int) -> Int { max(64, ((n + 3) / 4 + 63) / 64 * 64) }

/// OpenBLAS thread control and identification.
public enum BLAS {
  /// Sets the number of threads OpenBLAS uses.
  public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
  /// The kernel family OpenBLAS selected (e.g. "Haswell", "Cooperlake").
  public static var coreName: String { String(cString: openblas_get_corename()) }
}
