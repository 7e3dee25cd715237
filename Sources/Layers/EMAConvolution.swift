import Tensor

/// The EMA's convolution of many time series with per-channel kernels (MODEL.md §2.3), its
/// transpose and its kernel gradient. Series `s` (`len` values, contiguous) uses channel `s % e`;
/// the kernel is `[D', K]`: rows `0..<e` act causally (lag j weighs `x[t−j]`), rows `e..<2e`
/// (bidirectional) anti-causally (`x[t+j]`). Direct O(L·K) sums for short kernels, zero-padded FFT
/// (no wrap-around: size ≥ L + K − 1) for long ones (`EMASpectralKernels`).
struct EMAConvolution {
  let kernel: [Float]
  let channels: Int
  let k: Int
  let len: Int
  let bidirectional: Bool
  private let plan: FFTPlan?
  /// FFT of each channel's circular kernel (lag j at index j, lag −j at n − j) times 1/n (the
  /// inverse transform's factor), `[e, n]`.
  private let kernelSpectra: EMASpectra?

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
      (plan, kernelSpectra) = (nil, nil)
      return
    }
    let plan = FFTPlan(size: FFTPlan.size(atLeast: len + k - 1))
    let n = plan.size
    let spectra = EMASpectra(count: channels * n)
    let (re, im) = (spectra.re.base, spectra.im.base)
    for c in 0..<channels {
      for j in 0..<k {
        re[c * n + j] += kernel[c * k + j]
        if bidirectional { re[c * n + (n - j) % n] += kernel[(channels + c) * k + j] }
      }
      plan.forwardBitReversed(re + c * n, im + c * n)
    }
    let scale = 1 / Float(n)
    for i in 0..<(channels * n) {
      re[i] *= scale
      im[i] *= scale
    }
    (self.plan, kernelSpectra) = (plan, spectra)
  }

  /// Spectra of all series of `x` (FFT path only).
  func spectra(_ x: [Float]) -> EMASpectra {
    let (plan, series) = (plan!, x.count / len)
    let out = EMASpectra(count: series * plan.size)
    x.withUnsafeBufferPointer {
      EMASpectralKernels.spectra($0.baseAddress!, series: series, len: len, plan: plan, into: out)
    }
    return out
  }

  /// `y[s, t] = Σ_j kf[j]·x[s, t−j] (+ Σ_j kb[j]·x[s, t+j])`; `xSpectra` are `spectra(x)` on the
  /// FFT path.
  func forward(_ x: [Float], xSpectra: EMASpectra?) -> [Float] {
    guard let xSpectra else { return direct(x, transpose: false) }
    return multiplied(xSpectra, conjugateKernel: false, count: x.count)
  }

  /// The transpose: `dx[s, u] = Σ_j kf[j]·g[s, u+j] (+ Σ_j kb[j]·g[s, u−j])`.
  func transpose(_ gSpectra: EMASpectra?, _ g: [Float]) -> [Float] {
    guard let gSpectra else { return direct(g, transpose: true) }
    return multiplied(gSpectra, conjugateKernel: true, count: g.count)
  }

  /// The FFT path's product with the kernel spectra, back in time (`count` values).
  private func multiplied(_ spec: EMASpectra, conjugateKernel: Bool, count: Int) -> [Float] {
    // Every series is written: no zero-fill.
    Tensor.uninitializedArray(count) {
      EMASpectralKernels.multiply(
        spec, kernel: kernelSpectra!, conjugate: conjugateKernel, series: count / len,
        channels: channels, len: len, plan: plan!, into: $0)
    }
  }

  /// `dk[c, j] = Σ_{s of channel c} Σ_t g[s, t]·x[s, t−j]` (causal rows) and `x[s, t+j]`
  /// (anti-causal rows), `[D', K]`.
  func kernelGradient(
    _ g: [Float], _ x: [Float], gSpectra: EMASpectra?, xSpectra: EMASpectra?
  ) -> [Double] {
    let rows = bidirectional ? 2 * channels : channels
    var dk = [Double](repeating: 0, count: rows * k)
    let series = g.count / len
    dk.withUnsafeMutableBufferPointer { dk in
      if let plan, let gSpectra, let xSpectra {
        EMASpectralKernels.kernelGradient(
          gSpectra, xSpectra, series: series, channels: channels, k: k,
          bidirectional: bidirectional, plan: plan, into: dk.baseAddress!)
        return
      }
      g.withUnsafeBufferPointer { gp in
        x.withUnsafeBufferPointer { xp in
          directKernelGradient(
            gp.baseAddress!, xp.baseAddress!, series: series, into: dk.baseAddress!)
        }
      }
    }
    return dk
  }

  /// The direct path's kernel gradient.
  private func directKernelGradient(
    _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, series: Int,
    into dk: UnsafeMutablePointer<Double>
  ) {
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
