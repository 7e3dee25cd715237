import Tensor

/// Spectra of real series on the EMA convolution's FFT path (`EMAConvolution`): `[S, n]` real and
/// imaginary parts in bit-reversed order, as `FFTPlan.forwardBitReversed` leaves them; saved by
/// the op for its backward.
final class EMASpectra {
  /// Real parts.
  let re: FloatBuffer
  /// Imaginary parts.
  let im: FloatBuffer

  /// `count` zeros.
  init(count: Int) {
    re = FloatBuffer(zeros: count)
    im = FloatBuffer(zeros: count)
  }
}

/// The FFT path's kernels over flat buffers: series of `len` values, zero-padded to the plan's
/// size `n ≥ len + K − 1` (no wrap-around); series `s` uses channel `s % channels`.
enum EMASpectralKernels {
  /// The spectra of `series` series at `x` into `out`. Two real series share one complex
  /// transform: `Z = FFT(x₁ + i·x₂)`, `X₁ = (Z[f] + Z̄[−f])/2`, `X₂ = (Z[f] − Z̄[−f])/2i`.
  static func spectra(
    _ x: UnsafePointer<Float>, series: Int, len: Int, plan: FFTPlan, into out: EMASpectra
  ) {
    let n = plan.size
    let zr = UnsafeMutablePointer<Float>.allocate(capacity: 2 * n)
    defer { zr.deallocate() }
    let zi = zr + n
    for s in stride(from: 0, to: series, by: 2) {
      let pair = s + 1 < series
      zr.update(from: x + s * len, count: len)
      (zr + len).update(repeating: 0, count: n - len)
      if pair {
        zi.update(from: x + (s + 1) * len, count: len)
        (zi + len).update(repeating: 0, count: n - len)
      } else {
        zi.update(repeating: 0, count: n)
      }
      plan.forwardBitReversed(zr, zi)
      let t = pair ? s + 1 : s
      let (r1, i1, r2, i2) = (
        out.re.base + s * n, out.im.base + s * n, out.re.base + t * n, out.im.base + t * n
      )
      // Position 0 (f = 0) pairs with itself; p in 2ᵐ..<2ᵐ⁺¹ with 3·2ᵐ − 1 − p.
      var (lo, hi, last) = (0, 1, 0)
      while lo < n {
        for f in lo..<hi {
          let (ar, ai, br, bi) = (zr[f], zi[f], zr[last - f], zi[last - f])
          if pair {
            r2[f] = (ai + bi) * 0.5
            i2[f] = (br - ar) * 0.5
          }
          r1[f] = (ar + br) * 0.5
          i1[f] = (ai - bi) * 0.5
        }
        (lo, hi, last) = (hi, 2 * hi, 3 * hi - 1)
      }
    }
  }

  /// Each series' spectrum times its channel's kernel spectrum `kernel` (`[channels, n]`, or its
  /// conjugate), back in time into `out` (`[S, len]`); two real results share one inverse
  /// transform (`y₁ + i·y₂ = IFFT(Y₁ + i·Y₂)`).
  static func multiply(
    _ spec: EMASpectra, kernel: EMASpectra, conjugate: Bool, series: Int, channels: Int,
    len: Int, plan: FFTPlan, into out: UnsafeMutablePointer<Float>
  ) {
    let n = plan.size
    let re = UnsafeMutablePointer<Float>.allocate(capacity: 2 * n)
    defer { re.deallocate() }
    let im = re + n
    let sign: Float = conjugate ? -1 : 1
    for s in stride(from: 0, to: series, by: 2) {
      let pair = s + 1 < series
      var (a, b) = (spec.re.base + s * n, spec.im.base + s * n)
      var (kr, ki) = (kernel.re.base + (s % channels) * n, kernel.im.base + (s % channels) * n)
      for f in 0..<n {
        re[f] = a[f] * kr[f] - b[f] * sign * ki[f]
        im[f] = a[f] * sign * ki[f] + b[f] * kr[f]
      }
      if pair {
        // Plus i times the second product: one inverse transform gives both.
        (a, b) = (spec.re.base + (s + 1) * n, spec.im.base + (s + 1) * n)
        (kr, ki) = (
          kernel.re.base + ((s + 1) % channels) * n, kernel.im.base + ((s + 1) % channels) * n
        )
        for f in 0..<n {
          re[f] -= a[f] * sign * ki[f] + b[f] * kr[f]
          im[f] += a[f] * kr[f] - b[f] * sign * ki[f]
        }
      }
      plan.inverseFromBitReversed(re, im)
      (out + s * len).update(from: re, count: len)
      if pair { (out + (s + 1) * len).update(from: im, count: len) }
    }
  }

  /// The kernel gradient from the spectra of the output gradient `g` and of the input `x`:
  /// `Σ_{s of channel c} G_s·conj(X_s)` back in time, lag `j` at index `j` (causal rows of `dk`,
  /// `[D', K]`) and at `n − j` (anti-causal rows, when `bidirectional`).
  static func kernelGradient(
    _ g: EMASpectra, _ x: EMASpectra, series: Int, channels: Int, k: Int, bidirectional: Bool,
    plan: FFTPlan, into dk: UnsafeMutablePointer<Double>
  ) {
    let n = plan.size
    let sums = EMASpectra(count: channels * n)
    for s in 0..<series {
      let c = s % channels
      let (a, b) = (g.re.base + s * n, g.im.base + s * n)
      let (u, v) = (x.re.base + s * n, x.im.base + s * n)
      let (r, i) = (sums.re.base + c * n, sums.im.base + c * n)
      for f in 0..<n {
        r[f] += a[f] * u[f] + b[f] * v[f]
        i[f] += b[f] * u[f] - a[f] * v[f]
      }
    }
    let scale = 1 / Double(n)
    for c in 0..<channels {
      let r = sums.re.base + c * n
      plan.inverseFromBitReversed(r, sums.im.base + c * n)
      for j in 0..<k {
        dk[c * k + j] = Double(r[j]) * scale
        if bidirectional { dk[(channels + c) * k + j] = Double(r[(n - j) % n]) * scale }
      }
    }
  }
}
