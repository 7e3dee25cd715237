import Tensor

#if canImport(Glibc)
  import Glibc
#endif

/// The EMA's convolution computed as the linear recurrence it comes from (MODEL.md §2.2–2.3),
/// on time-major `[L, B, E]` arrays. Each direction's kernel is `k[c, j] = Σ_n a[c, n]·q[c, n]^j`
/// for lags j < K, so its output is `y_t = Σ_n a_n·h_t[n]` with
/// `h_t = q·h_{t−1} + u_t − q^K·u_{t−K}` (the last term only when K < L; the anti-causal
/// direction runs the same recurrence backwards in time). That is O(L·N) per channel against the
/// FFT's O(L log L) with a large constant, and needs no transposes. Eight channels of one series
/// go through time together, their N states in L1; `q` is split into a float and its float
/// remainder, so that `q^j` carries no rounding bias over long lags. Series and groups of channel
/// blocks run on `parallelism`'s threads; they never meet, so the split does not change a bit.
struct EMAScan {
  private typealias Lanes = SIMD8<Float>
  private let channels: Int
  private let ndim: Int
  private let k: Int
  private let len: Int
  private let batch: Int
  private let directions: Int
  /// Blocks of eight channels (the last one padded with zero weights).
  private let blocks: Int
  /// Per direction and block, five rows of N lanes: `a`, `q`'s float, its remainder, `q^K`,
  /// `K·q^(K−1)`.
  private let params: [Lanes]
  private let parallelism: Parallelism

  /// The recurrence of `kernel` (whose rows are `[D', N]`, D' = E or 2E) for `batch` series of
  /// `len` steps per channel.
  init(
    kernel: EMAKernel, channels e: Int, ndim n: Int, seriesLength len: Int, batch: Int,
    parallelism: Parallelism
  ) {
    self.parallelism = parallelism
    channels = e
    ndim = n
    k = kernel.length
    self.len = len
    self.batch = batch
    directions = kernel.coef.count / (e * n)
    blocks = (e + 7) / 8
    var params = [Lanes](repeating: .zero, count: directions * blocks * EMAScan.rows * n)
    for dir in 0..<directions {
      for c in 0..<e {
        for m in 0..<n {
          let i = (dir * e + c) * n + m
          let logq = kernel.logq[i]
          let q = exp(logq)
          let at = EMAScan.rows * n * (dir * blocks + c / 8) + m
          let values = [
            kernel.coef[i], q, q - Double(Float(q)), exp(Double(k) * logq),
            Double(k) * exp(Double(k - 1) * logq),
          ]
          for (row, v) in values.enumerated() { params[at + row * n][c % 8] = Float(v) }
        }
      }
    }
    self.params = params
  }

  private static let rows = 5

  /// The convolution of `u`: both directions' outputs.
  func forward(_ u: [Float]) -> [Float] {
    var y = Tensor.zeroArray(u.count)
    for dir in 0..<directions { run(dir, ascending: dir == 0, over: u, adding: &y) }
    return y
  }

  /// Its transpose, applied to the output gradient `g`: each direction run the other way in time.
  func transpose(_ g: [Float]) -> [Float] {
    var dx = Tensor.zeroArray(g.count)
    for dir in 0..<directions { run(dir, ascending: dir != 0, over: g, adding: &dx) }
    return dx
  }

  /// `y_t += Σ_n a_n·h_t[n]` for direction `dir` run over `input` in the given time order.
  private func run(_ dir: Int, ascending: Bool, over input: [Float], adding y: inout [Float]) {
    let n = ndim
    let state = UnsafeMutablePointer<Lanes>.allocate(capacity: batch * blocks * n)
    defer { state.deallocate() }
    y.withUnsafeMutableBufferPointer { yp in
      eachItem { b, range in
        let h = state + b * blocks * n
        (h + range.lowerBound * n).update(repeating: .zero, count: range.count * n)
        eachStep(dir, ascending, input, b, range) { at, block, width, p, u, old in
          let (a, qHi, qLo, qK, hb) = (p, p + n, p + 2 * n, p + 3 * n, h + block * n)
          var s = Lanes()
          for m in 0..<n {
            let next = qHi[m] * hb[m] + (qLo[m] * hb[m] + u - qK[m] * old)
            hb[m] = next
            s += a[m] * next
          }
          let out = yp.baseAddress! + at
          EMAScan.store(EMAScan.load(out, width) + s, out, width)
        }
      }
    }
  }

  /// `∂L/∂a` and `∂L/∂q` (`[D', N]`, the kernel's row order) given the input `u` and the output
  /// gradient `g`: `Σ_t g_t·h_t[n]` and `a_n·Σ_t g_t·m_t[n]`, where `m_t = ∂h_t/∂q` follows
  /// `m_t = q·m_{t−1} + h_{t−1} − K·q^(K−1)·u_{t−K}`. Each series' sums are float, their total
  /// double, added series by series in order.
  func parameterGradients(_ u: [Float], _ g: [Float]) -> (a: [Double], q: [Double]) {
    let (e, n) = (channels, ndim)
    var dA = [Double](repeating: 0, count: directions * e * n)
    var dQ = dA
    // Per series: h, ∂h/∂q and the two sums, each `blocks · n` lanes.
    let size = blocks * n
    let state = UnsafeMutablePointer<Lanes>.allocate(capacity: batch * 4 * size)
    defer { state.deallocate() }
    params.withUnsafeBufferPointer { pp in
      for dir in 0..<directions {
        g.withUnsafeBufferPointer { gp in
          eachItem { b, range in
            let series = state + b * 4 * size
            for part in 0..<4 {
              (series + part * size + range.lowerBound * n).update(
                repeating: .zero, count: range.count * n)
            }
            eachStep(dir, dir == 0, u, b, range) { at, block, width, p, u, old in
              let (qHi, qLo, qK, dqK) = (p + n, p + 2 * n, p + 3 * n, p + 4 * n)
              let (h, dh) = (series + block * n, series + size + block * n)
              let (sumA, sumQ) = (series + 2 * size + block * n, series + 3 * size + block * n)
              let grad = EMAScan.load(gp.baseAddress! + at, width)
              for m in 0..<n {
                let previous = h[m]
                let next = qHi[m] * previous + (qLo[m] * previous + u - qK[m] * old)
                let slope = qHi[m] * dh[m] + (qLo[m] * dh[m] + previous - dqK[m] * old)
                h[m] = next
                dh[m] = slope
                sumA[m] += grad * next
                sumQ[m] += grad * slope
              }
            }
          }
        }
        for b in 0..<batch {
          let (sumA, sumQ) = (state + (b * 4 + 2) * size, state + (b * 4 + 3) * size)
          for c in 0..<e {
            let (block, lane) = (c / 8, c % 8)
            let a = pp.baseAddress! + EMAScan.rows * n * (dir * blocks + block)
            for m in 0..<n {
              let i = (dir * e + c) * n + m
              dA[i] += Double(sumA[block * n + m][lane])
              dQ[i] += Double(a[m][lane]) * Double(sumQ[block * n + m][lane])
            }
          }
        }
      }
    }
    return (dA, dQ)
  }

  /// `body(b, blocks)` for every series b and group of channel blocks, spread over the threads.
  /// On one thread a group is every block (each time step then walks a whole row); on more, the
  /// series are cut into groups of an even number of blocks (a multiple of 16 channels, so that
  /// for E a multiple of 16 no two threads write the same 64-byte cache line), enough for two
  /// items per thread. Series and channels never meet, so the split does not change a bit.
  @inline(__always) private func eachItem(_ body: (_ b: Int, _ blocks: Range<Int>) -> Void) {
    let wanted = parallelism.threads == 1 ? 1 : (2 * parallelism.threads + batch - 1) / batch
    let cut = Swift.min(wanted, (blocks + 1) / 2)
    let group = parallelism.threads == 1 ? blocks : ((blocks + cut - 1) / cut + 1) / 2 * 2
    let groups = (blocks + group - 1) / group
    parallelism.forEach(batch * groups) { item, _ in
      let (b, first) = item.quotientAndRemainder(dividingBy: groups)
      body(b, (first * group)..<Swift.min(blocks, (first + 1) * group))
    }
  }

  /// For every time step t of series b in direction `dir`'s order and every block of eight
  /// channels in `range`, calls `visit(at, block, width, params, u, old)`: `at` is the index of
  /// (t, b, the block's first channel), `width` its channel count, `params` the block's parameter
  /// rows, `u` the input there and `old` the input leaving the truncated window at t (zeros when
  /// none does). The blocks of one step are neighbours in memory, and independent.
  @inline(__always) private func eachStep(
    _ dir: Int, _ ascending: Bool, _ input: [Float], _ b: Int, _ range: Range<Int>,
    _ visit: (Int, Int, Int, UnsafePointer<Lanes>, Lanes, Lanes) -> Void
  ) {
    let (e, n) = (channels, ndim)
    params.withUnsafeBufferPointer { pp in
      input.withUnsafeBufferPointer { xp in
        let x = xp.baseAddress!
        for step in 0..<len {
          let t = ascending ? step : len - 1 - step
          let old = ascending ? t - k : t + k
          let (row, oldRow) = ((t * batch + b) * e, (old * batch + b) * e)
          let leaves = old >= 0 && old < len
          for block in range {
            let (c0, width) = (block * 8, min(8, e - block * 8))
            let p = pp.baseAddress! + EMAScan.rows * n * (dir * blocks + block)
            let u = EMAScan.load(x + row + c0, width)
            let leaving = leaves ? EMAScan.load(x + oldRow + c0, width) : Lanes()
            visit(row + c0, block, width, p, u, leaving)
          }
        }
      }
    }
  }

  /// Lanes `0..<width` from `p`, zeros above.
  @inline(__always) private static func load(_ p: UnsafePointer<Float>, _ width: Int) -> Lanes {
    if width == 8 { return UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }
    var v = Lanes()
    for i in 0..<width { v[i] = p[i] }
    return v
  }

  /// Lanes `0..<width` of `v` to `p`.
  @inline(__always) private static func store(
    _ v: Lanes, _ p: UnsafeMutablePointer<Float>, _ width: Int
  ) {
    if width == 8 { return UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self) }
    for i in 0..<width { p[i] = v[i] }
  }
}
