#if canImport(Glibc)
  import Glibc
#endif

extension Tensor {
  /// Softmax over the last dimension.
  public func softmax() -> Tensor {
    let n = lastDim
    let rows = count / max(n, 1)
    var y = data
    for r in 0..<rows { Tensor.softmaxRow(&y, r * n, n) }
    // Backward reads the output itself (half in a half model, as the reference's saved output).
    return .op(shape: shape, data: y, parents: [self]) { out in
      let g = out.grad!
      self.accumulateGrad { d in
        out.data.withUnsafeBufferPointer { y in
          for r in 0..<rows {
            var dot: Float = 0
            for j in 0..<n { dot += g[r * n + j] * y[r * n + j] }
            for j in 0..<n { d[r * n + j] += y[r * n + j] * (g[r * n + j] - dot) }
          }
        }
      }
    }
  }

  /// In-place softmax of `v[start ..< start+n]`.
  @inline(__always) public static func softmaxRow(_ v: inout [Float], _ start: Int, _ n: Int) {
    var m = -Float.infinity
    for j in 0..<n { m = max(m, v[start + j]) }
    var s: Float = 0
    for j in 0..<n {
      let e = expf(v[start + j] - m)
      v[start + j] = e
      s += e
    }
    for j in 0..<n { v[start + j] /= s }
  }

  /// Log-softmax over the last dimension; a float32 island in a half model (fairseq's
  /// `log_softmax(·, dtype=float32)`).
  public func logSoftmax() -> Tensor {
    let n = lastDim
    let rows = count / max(n, 1)
    var y = data
    for r in 0..<rows {
      var m = -Float.infinity
      for j in 0..<n { m = max(m, y[r * n + j]) }
      var s: Float = 0
      for j in 0..<n { s += expf(y[r * n + j] - m) }
      let lse = m + logf(s)
      for j in 0..<n { y[r * n + j] -= lse }
    }
    return .op(shape: shape, data: y, parents: [self], halfOutput: .float32) { out in
      let g = out.grad!
      self.accumulateGrad { d in
        for r in 0..<rows {
          var gs: Float = 0
          for j in 0..<n { gs += g[r * n + j] }
          for j in 0..<n { d[r * n + j] += g[r * n + j] - expf(y[r * n + j]) * gs }
        }
      }
    }
  }

  /// Summed negative log-likelihood of `targets` under the rows of `self` (logits, last dimension =
  /// classes). Rows whose target equals `ignoreIndex` contribute nothing. A float32 island in
  /// a half model (fairseq's float log-softmax and NLL sum); the logits' gradient is half.
  public func crossEntropySum(targets: [Int], ignoreIndex: Int? = nil) -> Tensor {
    let n = lastDim
    let rows = count / max(n, 1)
    precondition(targets.count == rows, "crossEntropy: \(targets.count) targets for \(rows) rows")
    var probs = data
    var loss: Double = 0
    for r in 0..<rows {
      let t = targets[r]
      if t == ignoreIndex { continue }
      precondition(t >= 0 && t < n, "target \(t) outside 0..<\(n)")
      var m = -Float.infinity
      for j in 0..<n { m = max(m, data[r * n + j]) }
      var s: Double = 0
      for j in 0..<n { s += Double(expf(data[r * n + j] - m)) }
      loss -= Double(data[r * n + t] - m) - log(s)
      Tensor.softmaxRow(&probs, r * n, n)
    }
    return .op(shape: [], data: [Float(loss)], parents: [self], halfOutput: .float32) { out in
      let g = out.grad![0]
      self.accumulateGrad { d in
        for r in 0..<rows {
          let t = targets[r]
          if t == ignoreIndex { continue }
          for j in 0..<n { d[r * n + j] += g * probs[r * n + j] }
          d[r * n + t] -= g
        }
      }
    }
  }
}
