extension Tensor {
  /// The same elements under another shape (one dimension may be -1 and is inferred).
  public func reshaped(_ newShape: [Int]) -> Tensor {
    var dims = newShape
    if let i = dims.firstIndex(of: -1) {
      dims[i] = count / max(dims.filter { $0 != -1 }.reduce(1, *), 1)
    }
    precondition(dims.reduce(1, *) == count, "reshape \(shape) → \(newShape)")
    return .op(shape: dims, data: data, parents: [self], halfOutput: .copied) { out in
      out.grad!.withUnsafeBufferPointer { self.accumulateGrad($0) }
    }
  }

  /// Dimensions reordered: output dimension i is input dimension `order[i]` (as PyTorch's `permute`).
  public func permuted(_ order: [Int]) -> Tensor {
    precondition(order.sorted() == Array(0..<rank), "permute \(shape) by \(order)")
    let outShape = order.map { shape[$0] }
    // Rows of `inner` contiguous elements move together when the last dimension stays last.
    let keepsLast = order.last == rank - 1
    let inner = keepsLast ? lastDim : 1
    let map =
      keepsLast
      ? Tensor.permutationIndex(shape: Array(shape.dropLast()), order: Array(order.dropLast()))
      : Tensor.permutationIndex(shape: shape, order: order)
    let y = data.withUnsafeBufferPointer { x in
      Tensor.uninitializedArray(count) { y in
        for (o, i) in map.enumerated() {
          (y + o * inner).update(from: x.baseAddress! + i * inner, count: inner)
        }
      }
    }
    return .op(shape: outShape, data: y, parents: [self], halfOutput: .copied) { out in
      out.grad!.withUnsafeBufferPointer { g in
        self.accumulateGrad { d in
          for (o, i) in map.enumerated() {
            for j in 0..<inner { d[i * inner + j] += g[o * inner + j] }
          }
        }
      }
    }
  }

  /// For each output element of a permutation, the index of its input element.
  static func permutationIndex(shape: [Int], order: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    for d in stride(from: shape.count - 2, through: 0, by: -1) {
      strides[d] = strides[d + 1] * shape[d + 1]
    }
    let outShape = order.map { shape[$0] }
    let outStrides = order.map { strides[$0] }
    let n = shape.reduce(1, *)
    var map = [Int](repeating: 0, count: n)
    var idx = [Int](repeating: 0, count: shape.count)
    var src = 0
    for o in 0..<n {
      map[o] = src
      var d = shape.count - 1
      while d >= 0 {
        idx[d] += 1
        src += outStrides[d]
        if idx[d] < outShape[d] { break }
        src -= outStrides[d] * outShape[d]
        idx[d] = 0
        d -= 1
      }
    }
    return map
  }

  /// Columns `range` of the last dimension.
  public func slice(lastDim range: Range<Int>) -> Tensor {
    activated(.linear, lastDim: range)
  }

  /// Splits the last dimension into consecutive pieces of the given widths.
  public func split(lastDim widths: [Int]) -> [Tensor] {
    precondition(widths.reduce(0, +) == lastDim, "split \(shape) into \(widths)")
    var start = 0
    return widths.map { w in
      defer { start += w }
      return slice(lastDim: start..<(start + w))
    }
  }

  /// Concatenation along the last dimension; all other dimensions must agree.
  public static func concat(lastDim parts: [Tensor]) -> Tensor {
    let lead = Array(parts[0].shape.dropLast())
    precondition(parts.allSatisfy { Array($0.shape.dropLast()) == lead }, "concat shapes")
    let widths = parts.map(\.lastDim)
    let n = widths.reduce(0, +)
    let rows = lead.reduce(1, *)
    let y = Tensor.uninitializedArray(rows * n) { y in
      var offset = 0
      for (p, w) in zip(parts, widths) {
        p.data.withUnsafeBufferPointer { x in
          for r in 0..<rows { (y + r * n + offset).update(from: x.baseAddress! + r * w, count: w) }
        }
        offset += w
      }
    }
    return .op(shape: lead + [n], data: y, parents: parts, halfOutput: .copied) { out in
      out.grad!.withUnsafeBufferPointer { g in
        var offset = 0
        for (p, w) in zip(parts, widths) {
          let o = offset
          p.accumulateGrad { d in
            for r in 0..<rows { for j in 0..<w { d[r * w + j] += g[r * n + o + j] } }
          }
          offset += w
        }
      }
    }
  }

  /// Rows `range` of the first dimension.
  public func slice(firstDim range: Range<Int>) -> Tensor {
    let inner = count / max(shape[0], 1)
    let y = Array(data[(range.lowerBound * inner)..<(range.upperBound * inner)])
    return .op(
      shape: [range.count] + shape.dropFirst(), data: y, parents: [self], halfOutput: .copied
    ) { out in
      let g = out.grad!
      self.accumulateGrad { d in for i in 0..<g.count { d[range.lowerBound * inner + i] += g[i] } }
    }
  }
}
