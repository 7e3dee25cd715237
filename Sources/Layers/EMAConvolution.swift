import Tensor

/// The EMA's convolution of many time series with per-channel kernels (MODEL.md §2.3), its
/// transpose and its kernel gradient. Series `s` (`len` values, contiguous) uses channel `s % e`;
/// the kernel is `[D', K]`: rows `0..<e` act causally (lag j weighs `x[t−j]`), rows `e..<2e`
/// (bidirectional) anti-causally (`x[t+j]`). Direct O(L·K) sums for short kernels, zero-padded FFT
/// (no wrap-around: size ≥ L + K − 1) for long ones.
struct EMAConvolution {
  let kernel: [Float]
  let channels: Int
  let k: Int
  let len: Int
  let bidirectional: Bool
  private let plan: FFTPlan?
  /// FFT of each channel's circular kernel (lag j at index j, lag −j at n − j), `[e, n]`.
  private var kernelRe: [Float] = []
  private var kernelIm: [Float] = []

  init(
    kernel: [Float], channels: Int, length k: Int, seriesLength len: Int, bidirectional: Bool,
    useFFT: Bool
  ) {
    self.kernel = kernel
    self.channels = channels
    self.k = k
    self.len = len
    self.bidirectional = bidirectional
    guard useFFT else {
      plan = nil
      return
    }
    let plan = FFTPlan(size: FFTPlan.size(atLeast: len + k - 1))
    self.plan = plan
    let n = plan.size
    // Built in locals: a method call on `self` while its own arrays are passed inout would copy
    // both arrays (copy-on-write) for every channel.
    var re = [Float](repeating: 0, count: channels * n)
    var im = [Float](repeating: 0, count: channels * n)
    for c in 0..<channels {
      for j in 0..<k {
        re[c * n + j] += kernel[c * k + j]
        if bidirectional { re[c * n + (n - j) % n] += kernel[(channels + c) * k + j] }
      }
      transform(&re, &im, c * n, inverse: false)
    }
    kernelRe = re
    kernelIm = im
  }

  private func transform(_ re: inout [Float], _ im: inout [Float], _ offset: Int, inverse: Bool) {
    re.withUnsafeMutableBufferPointer { r in
      im.withUnsafeMutableBufferPointer { i in
        plan!.transform(r.baseAddress! + offset, i.baseAddress! + offset, inverse: inverse)
      }
    }
  }

  /// Spectra of all series, `[S, n]` real and imaginary parts (FFT path only). Two real series
  /// share one complex transform: `Z = FFT(x₁ + i·x₂)`, `X₁ = (Z[f] + Z̄[−f])/2`,
  /// `X₂ = (Z[f] − Z̄[−f])/2i`.
  func spectra(_ x: [Float]) -> (re: [Float], im: [Float]) {
    let n = plan!.size
    let series = x.count / len
    var re = [Float](repeating: 0, count: series * n)
    var im = re
    var zr = [Float](repeating: 0, count: n)
    var zi = zr
    for s in stride(from: 0, to: series, by: 2) {
      let pair = s + 1 < series
      for t in 0..<n {
        zr[t] = t < len ? x[s * len + t] : 0
        zi[t] = pair && t < len ? x[(s + 1) * len + t] : 0
      }
      transform(&zr, &zi, 0, inverse: false)
      for f in 0..<n {
        let g = (n - f) % n
        re[s * n + f] = (zr[f] + zr[g]) / 2
        im[s * n + f] = (zi[f] - zi[g]) / 2
        if pair {
          re[(s + 1) * n + f] = (zi[f] + zi[g]) / 2
          im[(s + 1) * n + f] = (zr[g] - zr[f]) / 2
        }
      }
    }
    return (re, im)
  }

  /// `y[s, t] = Σ_j kf[j]·x[s, t−j] (+ Σ_j kb[j]·x[s, t+j])`; `xSpectra` are `spectra(x)` on the
  /// FFT path.
  func forward(_ x: [Float], xSpectra: (re: [Float], im: [Float])?) -> [Float] {
    guard let plan, let xSpectra else { return direct(x, transpose: false) }
    return multiplied(xSpectra, conjugateKernel: false, n: plan.size)
  }

  /// The transpose: `dx[s, u] = Σ_j kf[j]·g[s, u+j] (+ Σ_j kb[j]·g[s, u−j])`.
  func transpose(_ gSpectra: (re: [Float], im: [Float])?, _ g: [Float]) -> [Float] {
    guard let plan, let gSpectra else { return direct(g, transpose: true) }
    return multiplied(gSpectra, conjugateKernel: true, n: plan.size)
  }

  /// Each series' spectrum times its channel's kernel spectrum (or its conjugate), back in time;
  /// two real results share one inverse transform (`y₁ + i·y₂ = IFFT(Y₁ + i·Y₂)`).
  private func multiplied(_ spec: (re: [Float], im: [Float]), conjugateKernel: Bool, n: Int)
    -> [Float]
  {
    let series = spec.re.count / n
    var out = [Float](repeating: 0, count: series * len)
    var re = [Float](repeating: 0, count: n)
    var im = re
    let sign: Float = conjugateKernel ? -1 : 1
    for s in stride(from: 0, to: series, by: 2) {
      let pair = s + 1 < series
      let (c1, c2) = (s % channels, (s + 1) % channels)
      for f in 0..<n {
        let (a, b) = (spec.re[s * n + f], spec.im[s * n + f])
        let (kr, ki) = (kernelRe[c1 * n + f], sign * kernelIm[c1 * n + f])
        re[f] = a * kr - b * ki
        im[f] = a * ki + b * kr
        if pair {
          let (a2, b2) = (spec.re[(s + 1) * n + f], spec.im[(s + 1) * n + f])
          let (kr2, ki2) = (kernelRe[c2 * n + f], sign * kernelIm[c2 * n + f])
          re[f] -= a2 * ki2 + b2 * kr2
          im[f] += a2 * kr2 - b2 * ki2
        }
      }
      transform(&re, &im, 0, inverse: true)
      for t in 0..<len {
        out[s * len + t] = re[t]
        if pair { out[(s + 1) * len + t] = im[t] }
      }
    }
    return out
  }

  /// `dk[c, j] = Σ_{s of channel c} Σ_t g[s, t]·x[s, t−j]` (causal rows) and `x[s, t+j]`
  /// (anti-causal rows), `[D', K]`.
  func kernelGradient(
    _ g: [Float], _ x: [Float], gSpectra: (re: [Float], im: [Float])?,
    xSpectra: (re: [Float], im: [Float])?
  ) -> [Double] {
    let rows = bidirectional ? 2 * channels : channels
    var dk = [Double](repeating: 0, count: rows * k)
    let series = g.count / len
    guard let plan, let gSpectra, let xSpectra else {
      for s in 0..<series {
        let c = s % channels
        let o = s * len
        for dir in 0..<(bidirectional ? 2 : 1) {
          let base = (dir * channels + c) * k
          for j in 0..<k {
            var acc: Float = 0
            if dir == 0 {
              for t in j..<len { acc += g[o + t] * x[o + t - j] }
            } else {
              for t in 0..<(len - j) { acc += g[o + t] * x[o + t + j] }
            }
            dk[base + j] += Double(acc)
          }
        }
      }
      return dk
    }
    let n = plan.size
    var re = [Float](repeating: 0, count: channels * n)
    var im = re
    for s in 0..<series {
      let c = s % channels
      for f in 0..<n {
        let (a, b) = (gSpectra.re[s * n + f], gSpectra.im[s * n + f])
        let (xr, xi) = (xSpectra.re[s * n + f], -xSpectra.im[s * n + f])
        re[c * n + f] += a * xr - b * xi
        im[c * n + f] += a * xi + b * xr
      }
    }
    for c in 0..<channels {
      transform(&re, &im, c * n, inverse: true)
      for j in 0..<k {
        dk[c * k + j] = Double(re[c * n + j])
        if bidirectional { dk[(channels + c) * k + j] = Double(re[c * n + (n - j) % n]) }
      }
    }
    return dk
  }

  /// Direct sums: the convolution, or (`transpose`) its transpose.
  private func direct(_ x: [Float], transpose: Bool) -> [Float] {
    var y = [Float](repeating: 0, count: x.count)
    let series = x.count / len
    kernel.withUnsafeBufferPointer { kp in
      x.withUnsafeBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in
          for s in 0..<series {
            let c = s % channels
            let xs = xp.baseAddress! + s * len
            let ys = yp.baseAddress! + s * len
            for dir in 0..<(bidirectional ? 2 : 1) {
              let kc = kp.baseAddress! + (dir * channels + c) * k
              // The forward kernel looks back; the transpose of a look-back is a look-ahead.
              let ahead = (dir == 1) != transpose
              for t in 0..<len {
                var acc: Float = 0
                if ahead {
                  for j in 0..<min(k, len - t) { acc += kc[j] * xs[t + j] }
                } else {
                  for j in 0..<min(k, t + 1) { acc += kc[j] * xs[t - j] }
                }
                ys[t] += acc
              }
            }
          }
        }
      }
    }
    return y
  }
}
