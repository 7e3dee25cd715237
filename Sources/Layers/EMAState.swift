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
    if values.isEmpty { values = [Double](repeating: 0, count: batch * e * n) }
    precondition(values.count == batch * e * n, "EMA state of \(values.count) for B = \(batch)")
    var weights = [Double](repeating: 0, count: n)
    var powers = weights
    var q = weights
    var input = weights
    for b in 0..<batch {
      for c in 0..<e {
        let s = (b * e + c) * n
        let series = (b * e + c) * len
        for m in 0..<n {
          let i = c * n + m
          q[m] = exp(kernel.logq[i])
          weights[m] = Double(ema.gamma.data[i]) * scale * values[s + m]
          input[m] = kernel.p[i] * Double(ema.beta.data[i])
          powers[m] = q[m]
        }
        for t in 0..<len {
          var carry: Double = 0
          for m in 0..<n {
            carry += weights[m] * powers[m]
            powers[m] *= q[m]
            values[s + m] = q[m] * values[s + m] + input[m] * Double(x[series + t])
          }
          y[series + t] += Float(carry)
        }
      }
    }
  }
}
