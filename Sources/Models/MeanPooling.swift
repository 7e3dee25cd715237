import Tensor

extension Tensor {
  /// Mean pooling of `[B, L, E]` over the positions where `keep` (`[B·L]`) is true, divided by
  /// `lengths[b]` (the reference's `src_len`); output `[B, E]`.
  public func meanPooled(keep: [Bool], lengths: [Int]) -> Tensor {
    let (bsz, len, e) = (shape[0], shape[1], shape[2])
    precondition(keep.count == bsz * len && lengths.count == bsz, "mean pooling sizes")
    var y = [Float](repeating: 0, count: bsz * e)
    for b in 0..<bsz {
      let inv = 1 / Float(max(lengths[b], 1))
      for t in 0..<len where keep[b * len + t] {
        for c in 0..<e { y[b * e + c] += data[(b * len + t) * e + c] * inv }
      }
    }
    return .op(shape: [bsz, e], data: y, parents: [self]) { out in
      let g = out.grad!
      self.accumulateGrad { d in
        for b in 0..<bsz {
          let inv = 1 / Float(max(lengths[b], 1))
          for t in 0..<len where keep[b * len + t] {
            for c in 0..<e { d[(b * len + t) * e + c] += g[b * e + c] * inv }
          }
        }
      }
    }
  }
}
