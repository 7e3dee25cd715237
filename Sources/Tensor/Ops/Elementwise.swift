extension Tensor {
  /// A new array of `n` elements written by `body`, which must set every element (no zero-fill
  /// before).
  @inline(__always)
  public static func uninitializedArray(_ n: Int, _ body: (UnsafeMutablePointer<Float>) -> Void)
    -> [Float]
  {
    [Float](unsafeUninitializedCapacity: n) { buffer, count in
      if n > 0 { body(buffer.baseAddress!) }
      count = n
    }
  }

  /// `f(a[i], b[i])` for two arrays of the same count, into a new array.
  @inline(__always)
  static func zipped(_ a: [Float], _ b: [Float], _ f: (Float, Float) -> Float) -> [Float] {
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        uninitializedArray(ap.count) { y in
          Parallelism.current.forEachSplit(ap.count, grain: Parallelism.elementGrain) { r, _ in
            for i in r { y[i] = f(ap[i], bp[i]) }
          }
        }
      }
    }
  }

  /// `f(a[i])` into a new array.
  @inline(__always)
  static func mapped(_ a: [Float], _ f: (Float) -> Float) -> [Float] {
    a.withUnsafeBufferPointer { ap in
      uninitializedArray(ap.count) { y in
        Parallelism.current.forEachSplit(ap.count, grain: Parallelism.elementGrain) { r, _ in
          for i in r { y[i] = f(ap[i]) }
        }
      }
    }
  }

  /// Elementwise sum of two tensors of the same shape.
  public static func + (a: Tensor, b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "add: \(a.shape) + \(b.shape)")
    let y = zipped(a.data, b.data, +)
    return .op(shape: a.shape, data: y, parents: [a, b]) { out in
      out.grad!.withUnsafeBufferPointer { g in
        a.accumulateGrad(g)
        b.accumulateGrad(g)
      }
    }
  }

  /// Elementwise difference of two tensors of the same shape.
  public static func - (a: Tensor, b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "sub: \(a.shape) - \(b.shape)")
    let y = zipped(a.data, b.data, -)
    return .op(shape: a.shape, data: y, parents: [a, b]) { out in
      out.grad!.withUnsafeBufferPointer { g in
        a.accumulateGrad(g)
        b.accumulateGrad { d in d.each { i in d[i] -= g[i] } }
      }
    }
  }

  /// Elementwise product of two tensors of the same shape.
  public static func * (a: Tensor, b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "mul: \(a.shape) * \(b.shape)")
    let y = zipped(a.data, b.data, *)
    return .op(shape: a.shape, data: y, parents: [a, b]) { out in
      out.grad!.withUnsafeBufferPointer { g in
        a.accumulateGrad { d in b.data.withUnsafeBufferPointer { d.addProduct(g, $0) } }
        b.accumulateGrad { d in a.data.withUnsafeBufferPointer { d.addProduct(g, $0) } }
      }
    }
  }

  /// `a + w ⊙ (b − a)` elementwise (torch's `lerp`), as one op: a gated residual in one pass
  /// instead of three.
  public static func interpolated(from a: Tensor, to b: Tensor, weight w: Tensor) -> Tensor {
    precondition(
      a.shape == b.shape && a.shape == w.shape, "lerp: \(a.shape), \(b.shape), \(w.shape)")
    let y = a.data.withUnsafeBufferPointer { ap in
      b.data.withUnsafeBufferPointer { bp in
        w.data.withUnsafeBufferPointer { wp in
          uninitializedArray(ap.count) { y in
            Parallelism.current.forEachSplit(ap.count, grain: Parallelism.elementGrain) { r, _ in
              for i in r { y[i] = ap[i] + wp[i] * (bp[i] - ap[i]) }
            }
          }
        }
      }
    }
    return .op(shape: a.shape, data: y, parents: [a, b, w]) { out in
      out.grad!.withUnsafeBufferPointer { g in
        w.data.withUnsafeBufferPointer { wp in
          a.accumulateGrad { d in d.each { i in d[i] += g[i] * (1 - wp[i]) } }
          b.accumulateGrad { d in d.each { i in d[i] += g[i] * wp[i] } }
        }
        w.accumulateGrad { d in
          a.data.withUnsafeBufferPointer { ap in
            b.data.withUnsafeBufferPointer { bp in
              d.each { i in d[i] += g[i] * (bp[i] - ap[i]) }
            }
          }
        }
      }
    }
  }

  /// `self · s` for a constant s.
  public func scaled(_ s: Float) -> Tensor {
    let y = Tensor.mapped(data) { $0 * s }
    return .op(shape: shape, data: y, parents: [self]) { out in
      let g = out.grad!
      self.accumulateGrad { d in g.withUnsafeBufferPointer { g in d.each { i in d[i] += g[i] * s } }
      }
    }
  }

  /// `self + c` for a constant c.
  public func shifted(_ c: Float) -> Tensor {
    let y = Tensor.mapped(data) { $0 + c }
    return .op(shape: shape, data: y, parents: [self]) { out in
      out.grad!.withUnsafeBufferPointer { self.accumulateGrad($0) }
    }
  }

  /// `self ⊙ mask` for a constant mask of the same element count (e.g. 0 at padding).
  public func masked(by mask: [Float]) -> Tensor {
    precondition(mask.count == count, "mask of \(mask.count) for \(shape)")
    let y = Tensor.zipped(data, mask, *)
    return .op(shape: shape, data: y, parents: [self]) { out in
      out.grad!.withUnsafeBufferPointer { g in
        self.accumulateGrad { d in mask.withUnsafeBufferPointer { d.addProduct(g, $0) } }
      }
    }
  }

  /// Adds `v` (shape `[lastDim]`) to every row of the last dimension.
  public func addingRow(_ v: Tensor) -> Tensor {
    let n = lastDim
    precondition(v.count == n, "addingRow: \(v.shape) onto \(shape)")
    let y = Tensor.rowwise(data, v.data, +)
    return .op(shape: shape, data: y, parents: [self, v]) { out in
      out.grad!.withUnsafeBufferPointer { g in
        self.accumulateGrad(g)
        v.accumulateGrad { d in
          RowKernels.addColumnSums(
            g.baseAddress!, rows: g.count / max(n, 1), width: n, into: d.baseAddress!, .current)
        }
      }
    }
  }

  /// Multiplies every row of the last dimension by `v` (shape `[lastDim]`) elementwise.
  public func multiplyingRow(_ v: Tensor) -> Tensor {
    let n = lastDim
    precondition(v.count == n, "multiplyingRow: \(v.shape) onto \(shape)")
    let y = Tensor.rowwise(data, v.data, *)
    return .op(shape: shape, data: y, parents: [self, v]) { out in
      out.grad!.withUnsafeBufferPointer { g in
        let rows = g.count / max(n, 1)
        self.accumulateGrad { d in
          v.data.withUnsafeBufferPointer { vp in
            Parallelism.current.forEachSplit(rows) { range, _ in
              for r in range {
                let (dr, gr) = (d.baseAddress! + r * n, g.baseAddress! + r * n)
                for j in 0..<n { dr[j] += gr[j] * vp[j] }
              }
            }
          }
        }
        v.accumulateGrad { d in
          self.data.withUnsafeBufferPointer { x in
            RowKernels.addColumnDots(
              g.baseAddress!, x.baseAddress!, rows: rows, width: n, into: d.baseAddress!, .current)
          }
        }
      }
    }
  }

  /// `f(x[r, j], v[j])` over the rows of `x` (row width `v.count`).
  @inline(__always)
  static func rowwise(_ x: [Float], _ v: [Float], _ f: (Float, Float) -> Float) -> [Float] {
    let n = v.count
    return x.withUnsafeBufferPointer { xp in
      v.withUnsafeBufferPointer { vp in
        uninitializedArray(xp.count) { y in
          Parallelism.current.forEachSplit(xp.count / max(n, 1)) { rows, _ in
            for r in rows {
              let (yr, xr) = (y + r * n, xp.baseAddress! + r * n)
              for j in 0..<n { yr[j] = f(xr[j], vp[j]) }
            }
          }
        }
      }
    }
  }

  /// Multiplies every element by the one value of `s` (a one-element tensor, e.g. ScaleNorm's scalar).
  public func multiplyingScalar(_ s: Tensor) -> Tensor {
    precondition(s.count == 1, "multiplyingScalar: \(s.shape)")
    let k = s.data[0]
    let y = Tensor.mapped(data) { $0 * k }
    return .op(shape: shape, data: y, parents: [self, s]) { out in
      let g = out.grad!
      self.accumulateGrad { d in g.withUnsafeBufferPointer { g in d.each { i in d[i] += g[i] * k } }
      }
      s.accumulateGrad { d in
        var acc: Float = 0
        self.data.withUnsafeBufferPointer { x in for i in 0..<g.count { acc += g[i] * x[i] } }
        d[0] += acc
      }
    }
  }
}

extension UnsafeMutableBufferPointer where Element == Float {
  /// `self[i] += a[i]·b[i]`.
  @inline(__always)
  func addProduct(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) {
    each { i in self[i] += a[i] * b[i] }
  }

  /// `body(i)` for every index, the indices split over `Parallelism.current`'s threads
  /// (elementwise work: any split gives the same values).
  @inline(__always)
  func each(_ body: (Int) -> Void) {
    Parallelism.current.forEachSplit(count, grain: Parallelism.elementGrain) { r, _ in
      for i in r { body(i) }
    }
  }
}
