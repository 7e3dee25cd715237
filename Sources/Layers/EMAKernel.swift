import Tensor

#if canImport(Glibc)
  import Glibc
#endif

/// The EMA kernel `k[c, l] = Σ_n σ(delta)·beta·gamma·N^{-1/2}·q^l`, `q = 1 − σ(delta)·σ(alpha)`
/// (MODEL.md §2.2), computed in double precision, and its backward to the four parameters.
struct EMAKernel {
  /// `[D', K]` row-major, float32 for the convolution.
  let values: [Float]
  let length: Int
  private let ema: MultiHeadEMA
  /// σ(delta) per `[c, n]`.
  let p: [Double]
  private let d: [Double]
  private let coef: [Double]
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
    var values = [Float](repeating: 0, count: channels * k)
    for i in 0..<(channels * n) {
      p[i] = 1 / (1 + exp(-Double(ema.delta.data[i])))
      d[i] = 1 / (1 + exp(-Double(ema.alpha.data[i])))
      coef[i] = p[i] * Double(ema.beta.data[i]) * Double(ema.gamma.data[i]) * scale
      logq[i] = log(1 - p[i] * d[i])
    }
    // q^l as running products (double precision keeps them within a few ulps of exp(l·ln q)).
    var acc = [Double](repeating: 0, count: k)
    for c in 0..<channels {
      for l in 0..<k { acc[l] = 0 }
      for m in 0..<n {
        let q = exp(logq[c * n + m])
        var power = coef[c * n + m]
        for l in 0..<k {
          acc[l] += power
          power *= q
        }
      }
      for l in 0..<k { values[c * k + l] = Float(acc[l]) }
    }
    self.p = p
    self.d = d
    self.coef = coef
    self.logq = logq
    self.values = values
  }

  /// Adds the gradients of `delta, alpha, beta, gamma` given `dk = dL/dk` (`[D', K]`).
  func backward(_ dk: [Double]) {
    let channels = ema.gamma.shape[0]
    let n = ema.ndim
    let k = length
    let scale = 1 / Double(n).squareRoot()
    var dDelta = [Float](repeating: 0, count: channels * n)
    var dAlpha = dDelta
    var dBeta = dDelta
    var dGamma = dDelta
    for c in 0..<channels {
      for m in 0..<n {
        let i = c * n + m
        var dCoef: Double = 0
        var dq: Double = 0
        let q = exp(logq[i])
        var previous: Double = 0  // q^(l−1)
        var power: Double = 1  // q^l
        for l in 0..<k {
          let g = dk[c * k + l]
          dCoef += g * power
          dq += g * Double(l) * previous
          previous = power
          power *= q
        }
        dq *= coef[i]
        let beta = Double(ema.beta.data[i])
        let gamma = Double(ema.gamma.data[i])
        let dp = dCoef * beta * gamma * scale - dq * d[i]
        let dd = -dq * p[i]
        dDelta[i] = Float(dp * p[i] * (1 - p[i]))
        dAlpha[i] = Float(dd * d[i] * (1 - d[i]))
        dBeta[i] = Float(dCoef * p[i] * gamma * scale)
        dGamma[i] = Float(dCoef * p[i] * beta * scale)
      }
    }
    dDelta.withUnsafeBufferPointer { ema.delta.accumulateGrad($0) }
    dAlpha.withUnsafeBufferPointer { ema.alpha.accumulateGrad($0) }
    dBeta.withUnsafeBufferPointer { ema.beta.accumulateGrad($0) }
    dGamma.withUnsafeBufferPointer { ema.gamma.accumulateGrad($0) }
  }
}
