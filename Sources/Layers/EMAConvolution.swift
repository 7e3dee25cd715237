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
  /// FFT of each channel's circular kernel (lag j at index j, lag −j at n − j) times 1/n (the
  /// inverse transform's factor), `[e, n]`, in bit-reversed order like every spectrum here.
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
    let scale = 1 / Float(n)
    for i in re.indices {
      re[i] *= scale
      im[i] *= scale
    }
    kernelRe = re
    kernelIm = im
  }

  private func transform(_ re: inout [Float], _ im: inout [Float], _ offset: Int, inverse: Bool) {
    re.withUnsafeMutableBufferPointer { r in
      im.withUnsafeMutableBufferPointer { i in
        let (r, i) = (r.baseAddress! + offset, i.baseAddress! + offset)
        if inverse { plan!.inverseFromBitReversed(r, i) } else { plan!.forwardBitReversed(r, i) }
      }
    }
  }

  /// Spectra of all series, `[S, n]` real and imaginary parts in bit-reversed order (FFT path
  /// only). Two real series share one complex transform: `Z = FFT(x₁ + i·x₂)`,
  /// `X₁ = (Z[f] + Z̄[−f])/2`, `X₂ = (Z[f] − Z̄[−f])/2i`.
  func spectra(_ x: [Float]) -> (re: [Float], im: [Float]) {
    let n = plan!.size
    let series = x.count / len
    // Every value is written below: no zero-fill.
    var re = Tensor.uninitializedArray(series * n) { _ in }
    var im = Tensor.uninitializedArray(series * n) { _ in }
    var zr = [Float](repeating: 0, count: n)
    var zi = zr
    x.withUnsafeBufferPointer { xp in
      re.withUnsafeMutableBufferPointer { rp in
        im.withUnsafeMutableBufferPointer { ip in
          for s in stride(from: 0, to: series, by: 2) {
            let pair = s + 1 < series
            zr.withUnsafeMutableBufferPointer { zr in
              zi.withUnsafeMutableBufferPointer { zi in
                let (zr, zi) = (zr.baseAddress!, zi.baseAddress!)
                zr.update(from: xp.baseAddress! + s * len, count: len)
                (zr + len).update(repeating: 0, count: n - len)
                if pair {
                  zi.update(from: xp.baseAddress! + (s + 1) * len, count: len)
                  (zi + len).update(repeating: 0, count: n - len)
                } else {
                  zi.update(repeating: 0, count: n)
                }
                plan!.forwardBitReversed(zr, zi)
                let (r1, i1) = (rp.baseAddress! + s * n, ip.baseAddress! + s * n)
                let (r2, i2) = (
                  rp.baseAddress! + (pair ? s + 1 : s) * n, ip.baseAddress! + (pair ? s + 1 : s) * n
                )
                // Position 0 (f = 0) pairs with itself; p in 2ᵐ..<2ᵐ⁺¹ with 3·2ᵐ − 1 − p.
                /// Unpacks positions `lo..<hi`, whose partners are `last − p`.
                @inline(__always) func unpack(_ lo: Int, _ hi: Int, _ last: Int) {
                  if pair {
                    for f in lo..<hi {
                      let (ar, ai, br, bi) = (zr[f], zi[f], zr[last - f], zi[last - f])
                      r2[f] = (ai + bi) * 0.5
                      i2[f] = (br - ar) * 0.5
                      r1[f] = (ar + br) * 0.5
                      i1[f] = (ai - bi) * 0.5
                    }
                  } else {
                    for f in lo..<hi {
                      r1[f] = (zr[f] + zr[last - f]) * 0.5
                      i1[f] = (zi[f] - zi[last - f]) * 0.5
                    }
                  }
                }
                unpack(0, 1, 0)
                var block = 1
                while block < n {
                  unpack(block, 2 * block, 3 * block - 1)
                  block *= 2
                }
              }
            }
          }
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
    // Every series is written below: no zero-fill.
    var out = Tensor.uninitializedArray(series * len) { _ in }
    var re = [Float](repeating: 0, count: n)
    var im = [Float](repeating: 0, count: n)
    let sign: Float = conjugateKernel ? -1 : 1
    spec.re.withUnsafeBufferPointer { sr in
      spec.im.withUnsafeBufferPointer { si in
        kernelRe.withUnsafeBufferPointer { kr in
          kernelIm.withUnsafeBufferPointer { ki in
            re.withUnsafeMutableBufferPointer { rp in
              im.withUnsafeMutableBufferPointer { ip in
                out.withUnsafeMutableBufferPointer { op in
                  let (re, im) = (rp.baseAddress!, ip.baseAddress!)
                  for s in stride(from: 0, to: series, by: 2) {
                    let pair = s + 1 < series
                    /// Series `t`'s spectrum and its channel's kernel spectrum.
                    func operands(_ t: Int) -> (
                      UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
                      UnsafePointer<Float>
                    ) {
                      let c = t % channels
                      return (
                        sr.baseAddress! + t * n, si.baseAddress! + t * n, kr.baseAddress! + c * n,
                        ki.baseAddress! + c * n
                      )
                    }
                    let (a, b, kr, ki) = operands(s)
                    for f in 0..<n {
                      re[f] = a[f] * kr[f] - b[f] * sign * ki[f]
                      im[f] = a[f] * sign * ki[f] + b[f] * kr[f]
                    }
                    if pair {
                      // Plus i times the second product: one inverse transform gives both.
                      let (a, b, kr, ki) = operands(s + 1)
                      for f in 0..<n {
                        re[f] -= a[f] * sign * ki[f] + b[f] * kr[f]
                        im[f] += a[f] * kr[f] - b[f] * sign * ki[f]
                      }
                    }
                    plan!.inverseFromBitReversed(re, im)
                    (op.baseAddress! + s * len).update(from: re, count: len)
                    if pair { (op.baseAddress! + (s + 1) * len).update(from: im, count: len) }
                  }
                }
              }
            }
          }
        }
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
    var im = [Float](repeating: 0, count: channels * n)
    gSpectra.re.withUnsafeBufferPointer { gr in
      gSpectra.im.withUnsafeBufferPointer { gi in
        xSpectra.re.withUnsafeBufferPointer { xr in
          xSpectra.im.withUnsafeBufferPointer { xi in
            re.withUnsafeMutableBufferPointer { rp in
              im.withUnsafeMutableBufferPointer { ip in
                for s in 0..<series {
                  let c = s % channels
                  let (a, b) = (gr.baseAddress! + s * n, gi.baseAddress! + s * n)
                  let (u, v) = (xr.baseAddress! + s * n, xi.baseAddress! + s * n)
                  let (r, i) = (rp.baseAddress! + c * n, ip.baseAddress! + c * n)
                  // G · conj(X).
                  for f in 0..<n {
                    r[f] += a[f] * u[f] + b[f] * v[f]
                    i[f] += b[f] * u[f] - a[f] * v[f]
                  }
                }
              }
            }
          }
        }
      }
    }
    let scale = 1 / Double(n)
    for c in 0..<channels {
      transform(&re, &im, c * n, inverse: true)
      for j in 0..<k {
        dk[c * k + j] = Double(re[c * n + j]) * scale
        if bidirectional { dk[(channels + c) * k + j] = Double(re[c * n + (n - j) % n]) * scale }
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
