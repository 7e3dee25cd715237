import Tensor

#if canImport(Glibc)
  import Glibc
#endif

extension Tensor {
  /// SeqBoat's RoPE (MODEL.md §4.6, "rotary"): rotates the interleaved pairs `(x_{2k}, x_{2k+1})` of
  /// each slot of `self` (`[B, n, Z]`) by `(pos − 1)·10000^{−2k/Z}`, `pos` the slot's original
  /// 1-based position from `plan`; empty slots become zero. No parameters.
  public func rotatedAtSlots(_ plan: SlotPlan) -> Tensor {
    let (bsz, n, z) = (shape[0], shape[1], lastDim)
    precondition(rank == 3 && z % 2 == 0 && plan.batch == bsz && plan.slots == n, "RoPE \(shape)")
    let half = z / 2
    var cosT = [Float](repeating: 0, count: bsz * n * half)
    var sinT = [Float](repeating: 0, count: bsz * n * half)
    let freq = (0..<half).map { pow(10000, -2 * Double($0) / Double(z)) }
    for slot in 0..<(bsz * n) {
      let pos = plan.position[slot]
      guard pos > 0 else { continue }
      for c in 0..<half {
        let angle = Double(pos - 1) * freq[c]
        cosT[slot * half + c] = Float(cos(angle))
        sinT[slot * half + c] = Float(sin(angle))
      }
    }
    var y = [Float](repeating: 0, count: count)
    for slot in 0..<(bsz * n) {
      for c in 0..<half {
        let (co, si) = (cosT[slot * half + c], sinT[slot * half + c])
        let (x0, x1) = (data[slot * z + 2 * c], data[slot * z + 2 * c + 1])
        y[slot * z + 2 * c] = x0 * co - x1 * si
        y[slot * z + 2 * c + 1] = x0 * si + x1 * co
      }
    }
    return .op(shape: shape, data: y, parents: [self]) { out in
      let g = out.grad!
      self.accumulateGrad { d in
        for slot in 0..<(bsz * n) {
          for c in 0..<half {
            let (co, si) = (cosT[slot * half + c], sinT[slot * half + c])
            let (g0, g1) = (g[slot * z + 2 * c], g[slot * z + 2 * c + 1])
            d[slot * z + 2 * c] += g0 * co + g1 * si
            d[slot * z + 2 * c + 1] += -g0 * si + g1 * co
          }
        }
      }
    }
  }
}
