import Tensor

#if canImport(Glibc)
  import Glibc
#endif

/// The state `h[b, e, n]` a causal EMA carries from one segment of a long sequence to the next
/// (MODEL.md §2.6; Mega language-model evaluation only). A fresh state is zero. Passing the same
/// state to consecutive calls of `MultiHeadEMA` makes them equal one untruncated EMA over the
/// concatenated segments.
public final class EMAState {
  /// `[B, E, N]` row-major in double precision; empty while the state is zero.
  public private(set) var values: [Double] = []

  /// A zero state.
  public init() {}

  /// Back to zero (the start of a new sequence).
  public func reset() { values = [] }

  /// Adds the incoming state's contribution `Σ_n gamma·N^{-1/2}·q^{t+1}·h⁰_n` to `y` and moves
  /// the state past the segment: `h = q^S ⊙ h⁰ + Σ_t q^{S−1−t} ⊙ p ⊙ beta ⊙ x_t`. `y` and `x`
  /// (the padding-masked input) are channel-major `[B, E, S]`; `kernel` holds `p` and `ln q`.
  func advance(
    _ y: inout [Float], input x: [Float], ema: MultiHeadEMA, kernel: EMAKernel, batch: Int,
    length len: Int
  ) {
    let (e, n) = (ema.embedDim, ema.ndim)
    let scale = 1 / Double(n).squareRoot()
    var h = values.isEmpty ? [Double](repeating: 0, count: batch * e * n) : values
    precondition(h.count == batch * e * n, "EMA state of \(h.count) for B = \(batch)")
    var q = [Double](repeating: 0, count: e * n)
    var input = q
    var output = q
    for i in 0..<(e * n) {
      q[i] = exp(kernel.logq[i])
      input[i] = kernel.p[i] * Double(ema.beta.data[i])
      output[i] = Double(ema.gamma.data[i]) * scale
    }
    var weights = [Double](repeating: 0, count: n)
    var powers = weights
    h.withUnsafeMutableBufferPointer { hp in
      y.withUnsafeMutableBufferPointer { yp in
        x.withUnsafeBufferPointer { xp in
          for b in 0..<batch {
            for c in 0..<e {
              let s = (b * e + c) * n
              let series = (b * e + c) * len
              for m in 0..<n {
                weights[m] = output[c * n + m] * hp[s + m]
                powers[m] = q[c * n + m]
              }
              for t in 0..<len {
                var carry: Double = 0
                let xt = Double(xp[series + t])
                for m in 0..<n {
                  let i = c * n + m
                  carry += weights[m] * powers[m]
                  powers[m] *= q[i]
                  hp[s + m] = q[i] * hp[s + m] + input[i] * xt
                }
                yp[series + t] += Float(carry)
              }
            }
          }
        }
      }
    }
    values = h
  }
}
