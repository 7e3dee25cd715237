import Tensor

#if canImport(Glibc)
  import Glibc
#endif

/// The two relative-position bias types of Mega's attention (MODEL.md §3.5).
public enum RelativePositionKind: String, Sendable {
  /// A learned table `rel_pos_bias [2M−1]` indexed by `M − 1 + j − i`.
  case simple
  /// A learned rotated-vector bias `R_i(alpha)·R_j(beta)` (`alpha`, `beta` `[1, Z]`).
  case rotary
}

/// Mega's relative position bias: for a chunk of n positions, the `[n, n]` matrix added to the
/// attention scores. Names `rel_pos_bias` (simple) or `alpha`, `beta` and the buffer
/// `_float_tensor` (rotary; a dtype marker that is loaded and ignored).
public final class RelativePositionBias: Module {
  /// Simple or rotary.
  public let kind: RelativePositionKind
  /// Table radius M (simple): the longest chunk it can serve.
  public let maxPositions: Int
  /// Simple: `[2M − 1]`; rotary: `alpha [1, Z]`.
  public let first: Tensor
  /// Rotary: `beta [1, Z]`; nil for simple.
  public let second: Tensor?
  private let marker = Tensor.zeros([1])

  /// A bias of `kind` with radius `maxPositions`; `zdim` is the query/key width (rotary).
  public init(
    _ kind: RelativePositionKind, maxPositions: Int, zdim: Int, initializer: Initializer,
    rng: inout SplitMix64
  ) {
    self.kind = kind
    self.maxPositions = maxPositions
    switch kind {
    case .simple:
      first = initializer.make([2 * maxPositions - 1], rng: &rng)
      second = nil
    case .rotary:
      precondition(zdim % 2 == 0, "rotary bias needs an even z_dim, got \(zdim)")
      first = initializer.make([1, zdim], rng: &rng)
      second = initializer.make([1, zdim], rng: &rng)
    }
  }

  public var members: [ModuleMember] {
    switch kind {
    case .simple: return [.parameter("rel_pos_bias", first)]
    case .rotary:
      return [
        .parameter("alpha", first), .parameter("beta", second!), .buffer("_float_tensor", marker),
      ]
    }
  }

  /// The `[n, n]` bias of a chunk of `n` positions (simple requires n ≤ M).
  public func callAsFunction(_ n: Int) -> Tensor {
    switch kind {
    case .simple: return simple(n)
    case .rotary: return rotary(n)
    }
  }

  private func simple(_ n: Int) -> Tensor {
    precondition(
      n <= maxPositions, "chunk of \(n) positions exceeds the bias table (M = \(maxPositions))")
    let m = maxPositions
    let table = first
    var y = [Float](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { y[i * n + j] = table.data[m - 1 + j - i] } }
    return .op(shape: [n, n], data: y, parents: [table]) { out in
      let g = out.grad!
      table.accumulateGrad { d in
        for i in 0..<n { for j in 0..<n { d[m - 1 + j - i] += g[i * n + j] } }
      }
    }
  }

  private func rotary(_ n: Int) -> Tensor {
    let z = first.count
    let half = z / 2
    var sin = [Double](repeating: 0, count: n * half)
    var cos = sin
    let step = log(10000.0) / Double(half)
    for m in 0..<n {
      for k in 0..<half {
        let angle = Double(m) * exp(-Double(k) * step)
        sin[m * half + k] = Glibc.sin(angle)
        cos[m * half + k] = Glibc.cos(angle)
      }
    }
    /// Rows R_m(v) for m < n, `[n, Z]`.
    func rotate(_ v: [Float]) -> [Float] {
      var r = [Float](repeating: 0, count: n * z)
      for m in 0..<n {
        for k in 0..<half {
          let (c, s) = (cos[m * half + k], sin[m * half + k])
          let (v1, v2) = (Double(v[k]), Double(v[half + k]))
          r[m * z + k] = Float(v1 * c - v2 * s)
          r[m * z + half + k] = Float(v2 * c + v1 * s)
        }
      }
      return r
    }
    /// Adds Σ_m R_mᵀ(dr[m]) to `d` (`[Z]`).
    func rotateBack(_ dr: [Float], into d: UnsafeMutableBufferPointer<Float>) {
      for m in 0..<n {
        for k in 0..<half {
          let (c, s) = (cos[m * half + k], sin[m * half + k])
          let (g1, g2) = (Double(dr[m * z + k]), Double(dr[m * z + half + k]))
          d[k] += Float(g1 * c + g2 * s)
          d[half + k] += Float(-g1 * s + g2 * c)
        }
      }
    }
    let (a, b) = (first, second!)
    let ra = rotate(a.data)
    let rb = rotate(b.data)
    var y = [Float](repeating: 0, count: n * n)
    ra.withUnsafeBufferPointer { pa in
      rb.withUnsafeBufferPointer { pb in
        y.withUnsafeMutableBufferPointer { py in
          sgemm(
            transA: false, transB: true, m: n, n: n, k: z, a: pa.baseAddress!, lda: z,
            b: pb.baseAddress!, ldb: z, c: py.baseAddress!, ldc: n)
        }
      }
    }
    return .op(shape: [n, n], data: y, parents: [a, b]) { out in
      let g = out.grad!
      var dra = [Float](repeating: 0, count: n * z)
      var drb = dra
      g.withUnsafeBufferPointer { pg in
        rb.withUnsafeBufferPointer { pb in
          dra.withUnsafeMutableBufferPointer { pd in
            sgemm(
              transA: false, transB: false, m: n, n: z, k: n, a: pg.baseAddress!, lda: n,
              b: pb.baseAddress!, ldb: z, c: pd.baseAddress!, ldc: z)
          }
        }
        ra.withUnsafeBufferPointer { pa in
          drb.withUnsafeMutableBufferPointer { pd in
            sgemm(
              transA: true, transB: false, m: n, n: z, k: n, a: pg.baseAddress!, lda: n,
              b: pa.baseAddress!, ldb: z, c: pd.baseAddress!, ldc: z)
          }
        }
      }
      a.accumulateGrad { rotateBack(dra, into: $0) }
      b.accumulateGrad { rotateBack(drb, into: $0) }
    }
  }
}
