import Tensor
import XCTest

@testable import Layers

#if canImport(Glibc)
  import Glibc
#endif

/// The stateful EMA (MODEL.md §2.6): segments read one after another with a carried state equal
/// one untruncated causal EMA over their concatenation, whatever the training truncation.
final class EMAStateTests: XCTestCase {
  /// A causal Mega EMA (silu output) truncated at 3, with varied decays.
  private func ema() -> MultiHeadEMA {
    var rng = SplitMix64(seed: 11)
    let m = MultiHeadEMA(
      embedDim: 3, ndim: 4, bidirectional: false, truncation: 3, outputSilu: true, rng: &rng)
    for i in 0..<m.delta.count { m.delta.data[i] += Float(rng.normal()) * 0.8 }
    return m
  }

  /// `silu(Σ_{j≤t} k[j]·x[t−j] + omega·x[t])` with the untruncated kernel, and the final state
  /// `Σ_t q^{L−1−t}·p·beta·x[t]`, in double precision from the parameters.
  private func reference(_ m: MultiHeadEMA, _ x: [Float], len: Int, batch: Int)
    -> (y: [Double], state: [Double])
  {
    let (e, n) = (m.embedDim, m.ndim)
    var y = [Double](repeating: 0, count: len * batch * e)
    var state = [Double](repeating: 0, count: batch * e * n)
    for c in 0..<e {
      for k in 0..<n {
        let i = c * n + k
        let p = 1 / (1 + exp(-Double(m.delta.data[i])))
        let q = 1 - p / (1 + exp(-Double(m.alpha.data[i])))
        let pb = p * Double(m.beta.data[i])
        let g = Double(m.gamma.data[i]) / Double(n).squareRoot()
        for b in 0..<batch {
          for t in 0..<len {
            for j in 0...t {
              y[(t * batch + b) * e + c] +=
                g * pb * pow(q, Double(j)) * Double(x[((t - j) * batch + b) * e + c])
            }
            state[(b * e + c) * n + k] +=
              pow(q, Double(len - 1 - t)) * pb * Double(x[(t * batch + b) * e + c])
          }
        }
      }
    }
    for (i, v) in y.enumerated() {
      let pre = v + Double(m.omega.data[i % e]) * Double(x[i])
      y[i] = pre / (1 + exp(-pre))
    }
    return (y, state)
  }

  func testSegmentsWithCarriedStateEqualUntruncatedEMAOverTheWhole() {
    for fft in [false, true] {
      let m = ema()
      m.fftThreshold = fft ? 0 : 64
      let (batch, e) = (2, 3)
      let lengths = [5, 7, 1, 4]
      let len = lengths.reduce(0, +)
      var rng = SplitMix64(seed: 12)
      let x = Tensor.randn([len, batch, e], rng: &rng)
      let (want, wantState) = reference(m, x.data, len: len, batch: batch)
      let state = EMAState()
      var got: [Float] = []
      GradMode.withoutGrad {
        var start = 0
        for l in lengths {
          let piece = Tensor(
            shape: [l, batch, e],
            data: Array(x.data[(start * batch * e)..<((start + l) * batch * e)]))
          got += m(piece, state: state).data
          start += l
        }
      }
      XCTAssertEqual(got.count, want.count)
      var worst = 0.0
      for (a, b) in zip(got, want) { worst = max(worst, abs(Double(a) - b) / (1e-3 + abs(b))) }
      XCTAssertLessThan(worst, 1e-4, "fft \(fft)")
      for (a, b) in zip(state.values, wantState) {
        XCTAssertEqual(a, b, accuracy: 1e-9 + 1e-6 * abs(b))
      }
      let truncated = GradMode.withoutGrad { m(x) }.data
      let far = zip(truncated, want).map { abs(Double($0) - $1) }.max() ?? 0
      XCTAssertGreaterThan(far, 1e-3, "the training EMA (truncated at 3) differs from the stream")
    }
  }

  func testPaddingIsMaskedInTheStateAndResetStartsAfresh() {
    let m = ema()
    var rng = SplitMix64(seed: 13)
    let x = Tensor.randn([6, 1, 3], rng: &rng)
    let pad = [false, false, false, false, true, true]
    let masked = Tensor(
      shape: x.shape, data: x.data.enumerated().map { $0.offset >= 12 ? 0 : $0.element })
    let a = EMAState()
    let b = EMAState()
    GradMode.withoutGrad {
      _ = m(x, paddingMask: pad, state: a)
      _ = m(masked, state: b)
    }
    XCTAssertEqual(a.values, b.values)
    XCTAssertFalse(a.values.isEmpty)
    a.reset()
    XCTAssertEqual(a.values, [])
    let fresh = GradMode.withoutGrad { m(x, state: a) }.data
    let plain = GradMode.withoutGrad { m(x, state: EMAState()) }.data
    XCTAssertEqual(fresh, plain)
  }
}
