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
    var kr = [Float](repeating: 0, count: channels * n)
    for c in 0..<channels {
      for j in 0..<k {
        kr[c * n + j] += kernel[c * k + j]
        if bidirectional { kr[c * n + (n - j) % n] += kernel[(channels + c) * k + j] }
      }
    }
    (kernelRe, kernelIm) = EMAConvolution.realSpectra(plan, kr, count: channels, length: n)
  }

  /// Spectra (`[count, n]` real and imaginary parts) of `count` real series of `length` values
  /// each, stored consecutively in `x`, zero-padded to the plan's size. Two series share one
  /// complex transform (`x₁ + i·x₂`), separated by the symmetry of real spectra.
  static func realSpectra(_ plan: FFTPlan, _ x: [Float], count: Int, length: Int)
    -> (re: [Float], im: [Float])
  {
    let n = plan.size
    var re = [Float](repeating: 0, count: count * n)
    var im = re
    var zr = [Float](repeating: 0, count: n)
    var zi = zr
    x.withUnsafeBufferPointer { xp in
      re.withUnsafeMutableBufferPointer { rp in
        im.withUnsafeMutableBufferPointer { ip in
          zr.withUnsafeMutableBufferPointer { zrp in
            zi.withUnsafeMutableBufferPointer { zip in
              for s in stride(from: 0, to: count, by: 2) {
                let pair = s + 1 < count
                for t in 0..<n { zrp[t] = t < length ? xp[s * length + t] : 0 }
                for t in 0..<n { zip[t] = pair && t < length ? xp[(s + 1) * length + t] : 0 }
                plan.transform(zrp.baseAddress!, zip.baseAddress!, inverse: false)
                let (r1, i1) = (rp.baseAddress! + s * n, ip.baseAddress! + s * n)
                guard pair else {
                  r1.update(from: zrp.baseAddress!, count: n)
                  i1.update(from: zip.baseAddress!, count: n)
                  continue
                }
                let (r2, i2) = (r1 + n, i1 + n)
                for f in 0..<n {
                  let g = (n - f) & (n - 1)
                  let (ar, ai, br, bi) = (zrp[f], zip[f], zrp[g], zip[g])
                  r1[f] = 0.5 * (ar + br)
                  i1[f] = 0.5 * (ai - bi)
                  r2[f] = 0.5 * (ai + bi)
                  i2[f] = 0.5 * (br - ar)
                }
              }
            }
          }
        }
      }
    }
    return (re, im)
  }

  /// Spectra of all series, `[S, n]` real and imaginary parts (FFT path only).
  func spectra(_ x: [Float]) -> (re: [Float], im: [Float]) {
    EMAConvolution.realSpectra(plan!, x, count: x.count / len, length: len)
  }

  /// The first `length` values of the inverse transforms of `count` spectra (`[count, n]`,
  /// each the spectrum of a real series) produced by `spectrum(s, re, im)`; two per complex
  /// transform (`Y₁ + i·Y₂` has `y₁` as real part and `y₂` as imaginary part).
  func realInverse(
    count: Int, length: Int,
    _ spectrum: (Int, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void
  ) -> [Float] {
    let n = plan!.size
    var out = [Float](repeating: 0, count: count * length)
    var ar = [Float](repeating: 0, count: n)
    var ai = ar
    var br = ar
    var bi = ar
    out.withUnsafeMutableBufferPointer { op in
      ar.withUnsafeMutableBufferPointer { arp in
        ai.withUnsafeMutableBufferPointer { aip in
          br.withUnsafeMutableBufferPointer { brp in
            bi.withUnsafeMutableBufferPointer { bip in
              let (r1, i1, r2, i2) = (
                arp.baseAddress!, aip.baseAddress!, brp.baseAddress!, bip.baseAddress!
              )
              for s in stride(from: 0, to: count, by: 2) {
                spectrum(s, r1, i1)
                if s + 1 < count {
                  spectrum(s + 1, r2, i2)
                  for f in 0..<n {
                    let (yr, yi) = (r1[f] - i2[f], i1[f] + r2[f])
                    r1[f] = yr
                    i1[f] = yi
                  }
                }
                plan!.transform(r1, i1, inverse: true)
                (op.baseAddress! + s * length).update(from: r1, count: length)
                if s + 1 < count {
                  (op.baseAddress! + (s + 1) * length).update(from: i1, count: length)
                }
              }
            }
          }
        }
      }
    }
    return out
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

  /// Each series' spectrum times its channel's kernel spectrum (or its conjugate), back in time.
  private func multiplied(_ spec: (re: [Float], im: [Float]), conjugateKernel: Bool, n: Int)
    -> [Float]
  {
    let sign: Float = conjugateKernel ? -1 : 1
    return spec.re.withUnsafeBufferPointer { sr in
      spec.im.withUnsafeBufferPointer { si in
        kernelRe.withUnsafeBufferPointer { kr in
          kernelIm.withUnsafeBufferPointer { ki in
            realInverse(count: spec.re.count / n, length: len) { s, re, im in
              let (o, ko) = (s * n, (s % channels) * n)
              for f in 0..<n {
                let (a, b) = (sr[o + f], si[o + f])
                let (c, d) = (kr[ko + f], sign * ki[ko + f])
                re[f] = a * c - b * d
                im[f] = a * d + b * c
              }
            }
          }
        }
      }
    }
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
    gSpectra.re.withUnsafeBufferPointer { gr in
      gSpectra.im.withUnsafeBufferPointer { gi in
        xSpectra.re.withUnsafeBufferPointer { xr in
          xSpectra.im.withUnsafeBufferPointer { xi in
            for s in 0..<series {
              let (o, co) = (s * n, (s % channels) * n)
              for f in 0..<n {
                let (a, b) = (gr[o + f], gi[o + f])
                let (c, d) = (xr[o + f], -xi[o + f])
                re[co + f] += a * c - b * d
                im[co + f] += a * d + b * c
              }
            }
          }
        }
      }
    }
    let lags = re.withUnsafeBufferPointer { rp in
      im.withUnsafeBufferPointer { ip in
        realInverse(count: channels, length: n) { c, r, i in
          r.update(from: rp.baseAddress! + c * n, count: n)
          i.update(from: ip.baseAddress! + c * n, count: n)
        }
      }
    }
    for c in 0..<channels {
      for j in 0..<k {
        dk[c * k + j] = Double(lags[c * n + j])
        if bidirectional { dk[(channels + c) * k + j] = Double(lags[c * n + (n - j) % n]) }
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
