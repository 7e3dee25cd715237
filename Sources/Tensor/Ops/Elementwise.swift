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

  /// `n` zeros, written on the current threads (a gradient or an accumulator of activation
  /// size: a single-threaded fill would be a serial stretch of every step).
  public static func zeroArray(_ n: Int) -> [Float] {
    uninitializedArray(n) { y in
      ElementLoops.split(n) { o, count in (y + o).initialize(repeating: 0, count: count) }
    }
  }

  /// `a ∘ b` for two arrays of the same count, into a new array.
  static func zipped(_ a: [Float], _ b: [Float], _ op: ElementLoops.Binary) -> [Float] {
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        uninitializedArray(ap.count) { y in
          let (x, z) = (ap.baseAddress!, bp.baseAddress!)
          ElementLoops.split(ap.count) { o, n in ElementLoops.binary(op, x + o, z + o, y + o, n) }
        }
      }
    }
  }

  /// `a·s` into a new array.
  static func scaled(_ a: [Float], by s: Float) -> [Float] {
    a.withUnsafeBufferPointer { ap in
      uninitializedArray(ap.count) { y in
        let x = ap.baseAddress!
        ElementLoops.split(ap.count) { o, n in ElementLoops.scale(x + o, s, y + o, n) }
      }
    }
  }

  /// Elementwise sum of two tensors of the same shape.
  public static func + (a: Tensor, b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "add: \(a.shape) + \(b.shape)")
    let y = zipped(a.data, b.data, .add)
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
    let y = zipped(a.data, b.data, .subtract)
    return .op(shape: a.shape, data: y, parents: [a, b]) { out in
      out.grad!.withUnsafeBufferPointer { g in
        a.accumulateGrad(g)
        b.accumulateGrad { d in d.subtract(g) }
      }
    }
  }

  /// Elementwise product of two tensors of the same shape.
  public static func * (a: Tensor, b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "mul: \(a.shape) * \(b.shape)")
    let y = zipped(a.data, b.data, .multiply)
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
            let (x, z, v) = (ap.baseAddress!, bp.baseAddress!, wp.baseAddress!)
            ElementLoops.split(ap.count) { o, n in ElementLoops.lerp(x + o, z + o, v + o, y + o, n)
            }
          }
        }
      }
    }
    return .op(shape: a.shape, data: y, parents: [a, b, w]) { out in
      out.grad!.withUnsafeBufferPointer { g in
        w.data.withUnsafeBufferPointer { wp in
          a.accumulateGrad { d in d.addComplementProduct(g, wp) }
          b.accumulateGrad { d in d.addProduct(g, wp) }
        }
        w.accumulateGrad { d in
          a.data.withUnsafeBufferPointer { ap in
            b.data.withUnsafeBufferPointer { bp in
              d.addDifferenceProduct(g, ap, bp)
            }
          }
        }
      }
    }
  }

  /// `self · s` for a constant s.
  public func scaled(_ s: Float) -> Tensor {
    let y = Tensor.scaled(data, by: s)
    return .op(shape: shape, data: y, parents: [self]) { out in
      out.grad!.withUnsafeBufferPointer { g in self.accumulateGrad { d in d.addScaled(g, s) } }
    }
  }

  /// `self + c` for a constant c.
  public func shifted(_ c: Float) -> Tensor {
    let y = data.withUnsafeBufferPointer { ap in
      Tensor.uninitializedArray(ap.count) { y in
        let x = ap.baseAddress!
        ElementLoops.split(ap.count) { o, n in ElementLoops.shift(x + o, c, y + o, n) }
      }
    }
    return .op(shape: shape, data: y, parents: [self]) { out in
      out.grad!.withUnsafeBufferPointer { self.accumulateGrad($0) }
    }
  }

  /// `self ⊙ mask` for a constant mask of the same element count (e.g. 0 at padding).
  public func masked(by mask: [Float]) -> Tensor {
    precondition(mask.count == count, "mask of \(mask.count) for \(shape)")
    let y = Tensor.zipped(data, mask, .multiply)
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
    let y = Tensor.rowwise(data, v.data, .add)
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
    let y = Tensor.rowwise(data, v.data, .multiply)
    return .op(shape: shape, data: y, parents: [self, v]) { out in
      out.grad!.withUnsafeBufferPointer { g in
        let rows = g.count / max(n, 1)
        self.accumulateGrad { d in
          v.data.withUnsafeBufferPointer { vp in
            Parallelism.current.forEachSplit(rows) { range, _ in
              let (dp, gp, w) = (d.baseAddress!, g.baseAddress!, vp.baseAddress!)
              for r in range { ElementLoops.addProduct(dp + r * n, gp + r * n, w, n) }
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

  /// `x[r, j] ∘ v[j]` over the rows of `x` (row width `v.count`).
  static func rowwise(_ x: [Float], _ v: [Float], _ op: ElementLoops.Binary) -> [Float] {
    let n = v.count
    return x.withUnsafeBufferPointer { xp in
      v.withUnsafeBufferPointer { vp in
        uninitializedArray(xp.count) { y in
          Parallelism.current.forEachSplit(xp.count / max(n, 1)) { rows, _ in
            let (x, w) = (xp.baseAddress!, vp.baseAddress!)
            for r in rows { ElementLoops.binary(op, x + r * n, w, y + r * n, n) }
          }
        }
      }
    }
  }

  /// Multiplies every element by the one value of `s` (a one-element tensor, e.g. ScaleNorm's scalar).
  public func multiplyingScalar(_ s: Tensor) -> Tensor {
    precondition(s.count == 1, "multiplyingScalar: \(s.shape)")
    let k = s.data[0]
    let y = Tensor.scaled(data, by: k)
    return .op(shape: shape, data: y, parents: [self, s]) { out in
      let g = out.grad!
      self.accumulateGrad { d in g.withUnsafeBufferPointer { d.addScaled($0, k) } }
      s.accumulateGrad { d in
        var acc: Float = 0
        self.data.withUnsafeBufferPointer { x in for i in 0..<g.count { acc += g[i] * x[i] } }
        d[0] += acc
      }
    }
  }
}

extension UnsafeMutableBufferPointer where Element == Float {
  /// `self += g`, split over the current threads.
  func accumulate(_ g: UnsafeBufferPointer<Float>) {
    let (d, x) = (baseAddress!, g.baseAddress!)
    ElementLoops.split(count) { o, n in ElementLoops.accumulate(d + o, x + o, n) }
  }

  /// `self −= g`.
  func subtract(_ g: UnsafeBufferPointer<Float>) {
    let (d, x) = (baseAddress!, g.baseAddress!)
    ElementLoops.split(count) { o, n in ElementLoops.subtract(d + o, x + o, n) }
  }

  /// `self += g·s`.
  func addScaled(_ g: UnsafeBufferPointer<Float>, _ s: Float) {
    let (d, x) = (baseAddress!, g.baseAddress!)
    ElementLoops.split(count) { o, n in ElementLoops.addScaled(d + o, x + o, s, n) }
  }

  /// `self += a·b`.
  func addProduct(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) {
    let (d, x, y) = (baseAddress!, a.baseAddress!, b.baseAddress!)
    ElementLoops.split(count) { o, n in ElementLoops.addProduct(d + o, x + o, y + o, n) }
  }

  /// `self += g·(1 − w)`.
  func addComplementProduct(_ g: UnsafeBufferPointer<Float>, _ w: UnsafeBufferPointer<Float>) {
    let (d, x, y) = (baseAddress!, g.baseAddress!, w.baseAddress!)
    ElementLoops.split(count) { o, n in ElementLoops.addComplementProduct(d + o, x + o, y + o, n) }
  }

  /// `self += g·(b − a)`.
  func addDifferenceProduct(
    _ g: UnsafeBufferPointer<Float>, _ a: UnsafeBufferPointer<Float>,
    _ b: UnsafeBufferPointer<Float>
  ) {
    let (d, x, p, q) = (baseAddress!, g.baseAddress!, a.baseAddress!, b.baseAddress!)
    ElementLoops.split(count) { o, n in
      ElementLoops.addDifferenceProduct(d + o, x + o, p + o, q + o, n)
    }
  }
}
