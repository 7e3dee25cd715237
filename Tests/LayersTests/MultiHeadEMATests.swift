import Tensor
import TestSupport
import XCTest

@testable import Layers

#if canImport(Glibc)
  import Glibc
#endif

final class MultiHeadEMATests: XCTestCase {
  private func ema(bidirectional: Bool, truncation: Int?, silu: Bool, seed: UInt64 = 2)
    -> MultiHeadEMA
  {
    var rng = SplitMix64(seed: seed)
    let m = MultiHeadEMA(
      embedDim: 3, ndim: 2, bidirectional: bidirectional, truncation: truncation,
      outputSilu: silu, rng: &rng)
    for i in 0..<m.delta.count { m.delta.data[i] += Float(rng.normal()) * 0.5 }
    return m
  }

  /// The causal, untruncated EMA equals the recurrence `h_t = q·h_{t−1} + p·beta·x_t`.
  func testCausalEqualsRecurrence() {
    let m = ema(bidirectional: false, truncation: nil, silu: false)
    var rng = SplitMix64(seed: 5)
    let (len, batch, e, n) = (9, 2, 3, 2)
    let x = Tensor.randn([len, batch, e], rng: &rng)
    let y = m(x)
    for b in 0..<batch {
      for c in 0..<e {
        var h = [Double](repeating: 0, count: n)
        for t in 0..<len {
          var out: Double = 0
          for k in 0..<n {
            let i = c * n + k
            let p = 1 / (1 + exp(-Double(m.delta.data[i])))
            let d = 1 / (1 + exp(-Double(m.alpha.data[i])))
            h[k] =
              (1 - p * d) * h[k] + p * Double(m.beta.data[i])
              * Double(x.data[(t * batch + b) * e + c])
            out += Double(m.gamma.data[i]) * h[k] / Double(n).squareRoot()
          }
          out += Double(m.omega.data[c] * x.data[(t * batch + b) * e + c])
          XCTAssertEqual(y.data[(t * batch + b) * e + c], Float(out), accuracy: 1e-5)
        }
      }
    }
  }

  func testPaddingZeroesConvolutionInputButNotResidual() {
    let m = ema(bidirectional: true, truncation: nil, silu: false)
    var rng = SplitMix64(seed: 6)
    let x = Tensor.randn([5, 1, 3], rng: &rng)
    let pad = [false, false, false, true, true]
    let masked = Tensor(
      shape: x.shape, data: x.data.enumerated().map { $0.offset >= 9 ? 0 : $0.element })
    let a = m(x, paddingMask: pad)
    let b = m(masked)
    for i in 0..<9 { XCTAssertEqual(a.data[i], b.data[i], accuracy: 1e-6) }
    for i in 9..<15 {
      XCTAssertEqual(a.data[i] - b.data[i], m.omega.data[i % 3] * x.data[i], accuracy: 1e-5)
    }
  }

  func testGradientsInEveryMode() {
    for bidirectional in [true, false] {
      for truncation in [nil, 3] as [Int?] {
        for silu in [true, false] {
          for (padded, fft, scan) in [
            (false, false, false), (true, false, false), (true, true, false), (false, false, true),
            (true, false, true),
          ] {
            let m = ema(bidirectional: bidirectional, truncation: truncation, silu: silu)
            m.fftThreshold = fft ? 0 : 64
            m.method = scan ? .scan : .convolution
            var rng = SplitMix64(seed: 8)
            let x = Tensor.randn([7, 2, 3], rng: &rng, requiresGrad: true)
            let pad: [Bool]? = padded ? (0..<14).map { $0 == 6 || $0 >= 12 } : nil
            let err = GradientCheck.maxRelativeError(inputs: [x] + m.parameters.map(\.tensor)) {
              m($0[0], paddingMask: pad)
            }
            XCTAssertLessThan(
              err, 2e-2,
              "bidir \(bidirectional) trunc \(String(describing: truncation)) silu \(silu) "
                + "scan \(scan)")
          }
        }
      }
    }
  }

  /// The FFT path and the recurrence give the direct path's output and gradients (odd and even
  /// series counts, truncated kernels).
  func testFFTPathAndScanEqualDirectSums() {
    for bidirectional in [true, false] {
      for (truncation, batch) in [(nil, 2), (5, 1), (12, 3)] as [(Int?, Int)] {
        var results: [[Float]] = []
        for (threshold, method) in [(1000, EMAMethod.convolution), (0, .convolution), (0, .scan)] {
          let m = ema(bidirectional: bidirectional, truncation: truncation, silu: true)
          m.fftThreshold = threshold
          m.method = method
          var rng = SplitMix64(seed: 9)
          let x = Tensor.randn([13, batch, 3], rng: &rng, requiresGrad: true)
          let pad = (0..<(13 * batch)).map { $0 % 13 >= 11 && $0 >= 13 }
          let y = m(x, paddingMask: pad)
          y.dot((0..<y.count).map { Float(($0 * 7) % 5) - 2 }).backward()
          results.append(y.data + x.grad! + m.parameters.flatMap { $0.tensor.grad! })
        }
        let scale = results[0].map(abs).max()!
        for other in results.dropFirst() {
          for (a, b) in zip(results[0], other) { XCTAssertEqual(a, b, accuracy: 1e-5 * scale) }
        }
      }
    }
  }
}
