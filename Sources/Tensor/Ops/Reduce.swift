extension Tensor {
  /// Sum of all elements, as a one-element tensor.
  public func sum() -> Tensor {
    var s: Double = 0
    for v in data { s += Double(v) }
    return .op(shape: [], data: [Float(s)], parents: [self]) { out in
      let g = out.grad![0]
      self.accumulateGrad { d in for i in 0..<d.count { d[i] += g } }
    }
  }

  /// Sum over the last dimension.
  public func sumLastDim() -> Tensor {
    let n = lastDim
    let rows = count / max(n, 1)
    var y = [Float](repeating: 0, count: rows)
    for r in 0..<rows {
      var s: Float = 0
      for j in 0..<n { s += data[r * n + j] }
      y[r] = s
    }
    return .op(shape: Array(shape.dropLast()), data: y, parents: [self]) { out in
      let g = out.grad!
      self.accumulateGrad { d in for r in 0..<rows { for j in 0..<n { d[r * n + j] += g[r] } } }
    }
  }

  /// `Σ self ⊙ weights` for a constant weight array: the scalar of a cotangent-weighted check.
  public func dot(_ weights: [Float]) -> Tensor {
    precondition(weights.count == count, "dot: \(weights.count) weights for \(shape)")
    var s: Double = 0
    for i in 0..<count { s += Double(data[i]) * Double(weights[i]) }
    return .op(shape: [], data: [Float(s)], parents: [self]) { out in
      let g = out.grad![0]
      self.accumulateGrad { d in for i in 0..<d.count { d[i] += g * weights[i] } }
    }
  }
}
