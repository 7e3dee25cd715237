extension Tensor {
  /// Elementwise sum of two tensors of the same shape.
  public static func + (a: Tensor, b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "add: \(a.shape) + \(b.shape)")
    var y = a.data
    for i in 0..<y.count { y[i] += b.data[i] }
    return .op(shape: a.shape, data: y, parents: [a, b]) { out in
      out.grad!.withUnsafeBufferPointer { g in
        a.accumulateGrad(g)
        b.accumulateGrad(g)
      }
    }
  }

  /// Elementwise difference of two tensors of the same shape.
  public static func - (a: Tensor, b: Tensor) -> Tensor { a + b.scaled(-1) }

  /// Elementwise product of two tensors of the same shape.
  public static func * (a: Tensor, b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "mul: \(a.shape) * \(b.shape)")
    var y = a.data
    for i in 0..<y.count { y[i] *= b.data[i] }
    return .op(shape: a.shape, data: y, parents: [a, b]) { out in
      let g = out.grad!
      a.accumulateGrad { d in for i in 0..<d.count { d[i] += g[i] * b.data[i] } }
      b.accumulateGrad { d in for i in 0..<d.count { d[i] += g[i] * a.data[i] } }
    }
  }

  /// `self · s` for a constant s.
  public func scaled(_ s: Float) -> Tensor {
    var y = data
    for i in 0..<y.count { y[i] *= s }
    return .op(shape: shape, data: y, parents: [self]) { out in
      let g = out.grad!
      self.accumulateGrad { d in for i in 0..<d.count { d[i] += g[i] * s } }
    }
  }

  /// `self + c` for a constant c.
  public func shifted(_ c: Float) -> Tensor {
    var y = data
    for i in 0..<y.count { y[i] += c }
    return .op(shape: shape, data: y, parents: [self]) { out in
      out.grad!.withUnsafeBufferPointer { self.accumulateGrad($0) }
    }
  }

  /// `self ⊙ mask` for a constant mask of the same element count (e.g. 0 at padding).
  public func masked(by mask: [Float]) -> Tensor {
    precondition(mask.count == count, "mask of \(mask.count) for \(shape)")
    var y = data
    for i in 0..<y.count { y[i] *= mask[i] }
    return .op(shape: shape, data: y, parents: [self]) { out in
      let g = out.grad!
      self.accumulateGrad { d in for i in 0..<d.count { d[i] += g[i] * mask[i] } }
    }
  }

  /// Adds `v` (shape `[lastDim]`) to every row of the last dimension.
  public func addingRow(_ v: Tensor) -> Tensor {
    let n = lastDim
    precondition(v.count == n, "addingRow: \(v.shape) onto \(shape)")
    var y = data
    for i in 0..<y.count { y[i] += v.data[i % n] }
    return .op(shape: shape, data: y, parents: [self, v]) { out in
      out.grad!.withUnsafeBufferPointer { g in
        self.accumulateGrad(g)
        v.accumulateGrad { d in for i in 0..<g.count { d[i % n] += g[i] } }
      }
    }
  }

  /// Multiplies every row of the last dimension by `v` (shape `[lastDim]`) elementwise.
  public func multiplyingRow(_ v: Tensor) -> Tensor {
    let n = lastDim
    precondition(v.count == n, "multiplyingRow: \(v.shape) onto \(shape)")
    var y = data
    for i in 0..<y.count { y[i] *= v.data[i % n] }
    return .op(shape: shape, data: y, parents: [self, v]) { out in
      let g = out.grad!
      self.accumulateGrad { d in for i in 0..<d.count { d[i] += g[i] * v.data[i % n] } }
      v.accumulateGrad { d in for i in 0..<g.count { d[i % n] += g[i] * self.data[i] } }
    }
  }

  /// Multiplies every element by the one value of `s` (a one-element tensor, e.g. ScaleNorm's scalar).
  public func multiplyingScalar(_ s: Tensor) -> Tensor {
    precondition(s.count == 1, "multiplyingScalar: \(s.shape)")
    let k = s.data[0]
    var y = data
    for i in 0..<y.count { y[i] *= k }
    return .op(shape: shape, data: y, parents: [self, s]) { out in
      let g = out.grad!
      self.accumulateGrad { d in for i in 0..<d.count { d[i] += g[i] * k } }
      s.accumulateGrad { d in
        var acc: Float = 0
        for i in 0..<g.count { acc += g[i] * self.data[i] }
        d[0] += acc
      }
    }
  }
}
