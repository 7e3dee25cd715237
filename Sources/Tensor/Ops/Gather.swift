extension Tensor {
  /// Rows of a `[V, E]` table picked by `indices`: the embedding lookup. Output `shape + [E]`.
  public func gatherRows(_ indices: [Int], shape outShape: [Int]) -> Tensor {
    precondition(rank == 2, "gatherRows on \(shape)")
    let e = shape[1]
    let v = shape[0]
    var y = [Float](repeating: 0, count: indices.count * e)
    for (i, row) in indices.enumerated() {
      precondition(row >= 0 && row < v, "index \(row) outside 0..<\(v)")
      for j in 0..<e { y[i * e + j] = data[row * e + j] }
    }
    return .op(shape: outShape + [e], data: y, parents: [self], halfOutput: .copied) { out in
      let g = out.grad!
      self.accumulateGrad { d in
        for (i, row) in indices.enumerated() { for j in 0..<e { d[row * e + j] += g[i * e + j] } }
      }
    }
  }
}
