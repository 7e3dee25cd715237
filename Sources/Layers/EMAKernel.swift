import Tensor

#if canImport(Glibc)
  import Glibc
#endif

/// The EMA kernel `k[c, l] = Σ_n σ(delta)·beta·gamma·N^{-1/2}·q^l`, `q = 1 − σ(delta)·σ(alpha)`
/// (MODEL.md §2.2), computed in double precision, and its backward to the four parameters.
struct EMAKernel {
  let length: Int
  private let ema: MultiHeadEMA
  /// σ(delta) per `[c, n]`.
  let p: [Double]
  private let d: [Double]
  /// `σ(delta)·beta·gamma·N^{-1/2}` per `[c, n]`: lag j of the kernel is `Σ_n coef·q^j`.
  let coef: [Double]
  /// ln q per `[c, n]`.
  let logq: [Double]

  init(_ ema: MultiHeadEMA, length k: Int) {
    self.ema = ema
    length = k
    let channels = ema.gamma.shape[0]
    let n = ema.ndim
    let scale = 1 / Double(n).squareRoot()
    var p = [Double](repeating: 0, count: channels * n)
    var d = p
    var coef = p
    var logq = p
    for i in 0..<(channels * n) {
      p[i] = 1 / (1 + exp(-Double(ema.delta.data[i])))
      d[i] = 1 / (1 + exp(-Double(ema.alpha.data[i])))
      coef[i] = p[i] * Double(ema.beta.data[i]) * Double(ema.gamma.data[i]) * scale
      logq[i] = log(1 - p[i] * d[i])
    }
    self.p = p
    self.d = d
    self.coef = coef
    self.logq = logq
  }

  /// The kernel, `[D', K]` row-major, float32 for the convolution (computed on each use: the
  /// recurrence does not need it).
  var values: [Float] {
    let (channels, n, k) = (coef.count / ema.ndim, ema.ndim, length)
    var values = [Float](repeating: 0, count: channels * k)
    // q^l as running products (double precision keeps them within a few ulps of exp(l·ln q)),
    // four lags at a time so that the products do not wait on each other; `acc` is padded to
    // whole lanes.
    var acc = [Double](repeating: 0, count: k + 3)
    for c in 0..<channels {
      acc.withUnsafeMutableBufferPointer { a in
        a.update(repeating: 0)
        for m in 0..<n {
          let (power, step) = EMAKernel.powerLanes(exp(logq[c * n + m]))
          var lanes = coef[c * n + m] * power
          for l in stride(from: 0, to: k, by: 4) {
            let at = UnsafeMutableRawPointer(a.baseAddress! + l)
            at.storeBytes(of: at.loadUnaligned(as: Lanes.self) + lanes, as: Lanes.self)
            lanes *= step
          }
        }
      }
      for l in 0..<k { values[c * k + l] = Float(acc[l]) }
    }
    return values
  }

  /// Four consecutive lags of double values.
  private typealias Lanes = SIMD4<Double>

  /// `(1, q, q², q³)` and `q⁴`, the step from one group of four lags to the next.
  private static func powerLanes(_ q: Double) -> (Lanes, Lanes) {
    let q2 = q * q
    return (Lanes(1, q, q2, q2 * q), Lanes(repeating: q2 * q2))
  }

  /// Adds the gradients of `delta, alpha, beta, gamma` (to `params`, in that order) given
  /// `dk = dL/dk` (`[D', K]`).
  func backward(_ dk: [Double], into params: ArraySlice<UnsafeMutablePointer<Float>?>) {
    let channels = ema.gamma.shape[0]
    let n = ema.ndim
    let k = length
    var dCoefs = [Double](repeating: 0, count: channels * n)
    var dqs = dCoefs
    // One row of dk, padded with zeros to whole lanes.
    var row = [Double](repeating: 0, count: k + 3)
    for c in 0..<channels {
      for l in 0..<k { row[l] = dk[c * k + l] }
      for m in 0..<n {
        let i = c * n + m
        let q = exp(logq[i])
        // Σ g·q^l and Σ g·l·q^(l−1), four lags at a time; the group after `power` starts at
        // `power·q³` for q^(l−1).
        let (first, step) = EMAKernel.powerLanes(q)
        var power = first
        var previous = Lanes(0, 1, q, q * q)
        let q3 = Lanes(repeating: q * q * q)
        var lags = Lanes(0, 1, 2, 3)
        var (coefLanes, qLanes) = (Lanes(), Lanes())
        row.withUnsafeBufferPointer { r in
          for l in stride(from: 0, to: k, by: 4) {
            let g = UnsafeRawPointer(r.baseAddress! + l).loadUnaligned(as: Lanes.self)
            coefLanes += g * power
            qLanes += g * lags * previous
            previous = power * q3
            power *= step
            lags += 4
          }
        }
        dCoefs[i] = coefLanes.sum()
        dqs[i] = qLanes.sum() * coef[i]
      }
    }
    backward(dCoef: dCoefs, dq: dqs, into: params)
  }

  /// Adds the gradients of `delta, alpha, beta, gamma` (to `params`, in that order; nil where
  /// none is taken) given those of `coef` and `q` (`[D', N]`).
  func backward(
    dCoef: [Double], dq: [Double], into params: ArraySlice<UnsafeMutablePointer<Float>?>
  ) {
    let scale = 1 / Double(ema.ndim).squareRoot()
    let (dDelta, dAlpha, dBeta, dGamma) = (
      params[params.startIndex], params[params.startIndex + 1], params[params.startIndex + 2],
      params[params.startIndex + 3]
    )
    for i in 0..<dCoef.count {
      let (dCoef, dq) = (dCoef[i], dq[i])
      let beta = Double(ema.beta.data[i])
      let gamma = Double(ema.gamma.data[i])
      let dp = dCoef * beta * gamma * scale - dq * d[i]
      let dd = -dq * p[i]
      dDelta?[i] += Float(dp * p[i] * (1 - p[i]))
      dAlpha?[i] += Float(dd * d[i] * (1 - d[i]))
      dBeta?[i] += Float(dCoef * p[i] * gamma * scale)
      dGamma?[i] += Float(dCoef * p[i] * beta * scale)
    }
  }
}
