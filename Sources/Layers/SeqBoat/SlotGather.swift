import Tensor

extension Tensor {
  /// Compress (MODEL.md §4.5): the rows of `self` (`[L, B, E]`, time-major) of the tokens `plan`
  /// assigns a slot, as `[B, n, E]`; empty slots are zero. Backward gathers the slot gradients back
  /// to their tokens.
  public func compressed(by plan: SlotPlan) -> Tensor {
    precondition(
      rank == 3 && shape[0] == plan.length && shape[1] == plan.batch, "compress \(shape)")
    let (bsz, n, e) = (plan.batch, plan.slots, lastDim)
    var y = [Float](repeating: 0, count: bsz * n * e)
    for (i, s) in plan.slotOfToken.enumerated() where s >= 0 {
      let dst = ((i % bsz) * n + s) * e
      for c in 0..<e { y[dst + c] = data[i * e + c] }
    }
    return .op(shape: [bsz, n, e], data: y, parents: [self]) { out in
      let g = out.grad!
      self.accumulateGrad { d in
        for (i, s) in plan.slotOfToken.enumerated() where s >= 0 {
          let src = ((i % bsz) * n + s) * e
          for c in 0..<e { d[i * e + c] += g[src + c] }
        }
      }
    }
  }

  /// Extract (MODEL.md §4.5): slot rows of `self` (`[B, n, E]`) back at their tokens, scaled by the
  /// router multiplier `p` (`[L, B]`), as `[L, B, E]`; zero at tokens without a slot.
  public func extracted(by plan: SlotPlan, scale p: Tensor) -> Tensor {
    let (bsz, n, e) = (plan.batch, plan.slots, lastDim)
    precondition(shape == [bsz, n, e], "extract \(shape) by a plan of \(bsz)×\(n)")
    precondition(p.count == plan.length * bsz, "extract multiplier \(p.shape)")
    var y = [Float](repeating: 0, count: plan.length * bsz * e)
    for (i, s) in plan.slotOfToken.enumerated() where s >= 0 {
      let src = ((i % bsz) * n + s) * e
      let k = p.data[i]
      for c in 0..<e { y[i * e + c] = data[src + c] * k }
    }
    return .op(shape: [plan.length, bsz, e], data: y, parents: [self, p]) { out in
      let g = out.grad!
      self.accumulateGrad { d in
        for (i, s) in plan.slotOfToken.enumerated() where s >= 0 {
          let dst = ((i % bsz) * n + s) * e
          let k = p.data[i]
          for c in 0..<e { d[dst + c] += g[i * e + c] * k }
        }
      }
      p.accumulateGrad { d in
        for (i, s) in plan.slotOfToken.enumerated() where s >= 0 {
          let src = ((i % bsz) * n + s) * e
          var acc: Float = 0
          for c in 0..<e { acc += g[i * e + c] * self.data[src + c] }
          d[i] += acc
        }
      }
    }
  }
}
