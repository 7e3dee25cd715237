import Tensor

/// The backward of an EMA's convolution: given the gradient of its output it adds the kernel
/// parameters' gradients to `params` (those of `delta, alpha, beta, gamma`, nil where none is
/// taken) and, when `inputGradient`, returns the gradient of its (masked) input.
typealias EMAConvolutionBackward = (
  _ g: [Float], _ inputGradient: Bool, _ params: ArraySlice<UnsafeMutablePointer<Float>?>
) -> [Float]?

/// The EMA's output around its convolution (MODEL.md §2.4): `pre = y + omega ⊙ x` and, for Mega,
/// `silu(pre)`; backward to `x` (through the residual and the convolution of the masked input)
/// and `omega`. Rows are the `L·B` time-major positions of `e` channels.
struct EMAResidual {
  let rows, e, batch, len: Int
  let silu: Bool
  let paddingMask: [Bool]?
  let parallelism: Parallelism

  /// `pre[r, c] = y[r, c] + omega[c]·x[r, c]`.
  static func forward(
    _ pre: UnsafeMutablePointer<Float>, y: UnsafePointer<Float>, x: UnsafePointer<Float>,
    omega: UnsafePointer<Float>, rows: Int, e: Int, _ parallelism: Parallelism
  ) {
    parallelism.forEachSplit(rows) { range, _ in
      for r in range {
        let (pr, xr, yr) = (pre + r * e, x + r * e, y + r * e)
        for c in 0..<e { pr[c] = yr[c] + omega[c] * xr[c] }
      }
    }
  }

  /// Adds the gradients of `[x, delta, alpha, beta, gamma, omega]` (`d`, nil where none is
  /// taken) given the output gradient `g`, the saved `pre` and the convolution's backward.
  func backward(
    _ g: UnsafePointer<Float>, _ d: [UnsafeMutablePointer<Float>?], pre: [Float],
    x: UnsafePointer<Float>, omega: UnsafePointer<Float>,
    convolution: EMAConvolutionBackward
  ) {
    let count = rows * e
    let gpre = pre.withUnsafeBufferPointer { pp in
      var gpre = [Float](repeating: 0, count: count)
      let gb = UnsafeBufferPointer(start: g, count: count)
      gpre.withUnsafeMutableBufferPointer { dst in
        parallelism.forEachSplit(count, grain: Parallelism.elementGrain) { r, _ in
          if silu {
            Activation.silu.accumulateDerivative(
              UnsafeBufferPointer(rebasing: pp[r]), UnsafeBufferPointer(rebasing: gb[r]),
              into: UnsafeMutableBufferPointer(rebasing: dst[r]))
          } else {
            (dst.baseAddress! + r.lowerBound).update(from: g + r.lowerBound, count: r.count)
          }
        }
      }
      return gpre
    }
    gpre.withUnsafeBufferPointer { gp in
      if let dOmega = d[5] {
        RowKernels.addColumnDots(
          gp.baseAddress!, x, rows: rows, width: e, into: dOmega, parallelism)
      }
      guard let du = convolution(gpre, d[0] != nil, d[1...4]), let dx = d[0] else { return }
      du.withUnsafeBufferPointer { up in
        parallelism.forEachSplit(rows) { range, _ in
          for r in range {
            let pad: Float = paddingMask?[(r % batch) * len + r / batch] == true ? 0 : 1
            let (dr, gr, ur) = (dx + r * e, gp.baseAddress! + r * e, up.baseAddress! + r * e)
            for c in 0..<e { dr[c] += gr[c] * omega[c] + pad * ur[c] }
          }
        }
      }
    }
  }
}
