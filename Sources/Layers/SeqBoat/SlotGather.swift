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
    data.withUnsafeBufferPointer { x in
      y.withUnsafeMutableBufferPointer { yp in
        for (i, s) in plan.slotOfToken.enumerated() where s >= 0 {
          (yp.baseAddress! + ((i % bsz) * n + s) * e).update(from: x.baseAddress! + i * e, count: e)
        }
      }
    }
    return .op(shape: [bsz, n, e], data: y, parents: [self], halfOutput: .copied) { out in
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
    data.withUnsafeBufferPointer { x in
      p.data.withUnsafeBufferPointer { pp in
        y.withUnsafeMutableBufferPointer { yp in
          for (i, s) in plan.slotOfToken.enumerated() where s >= 0 {
            let src = ((i % bsz) * n + s) * e
            let k = pp[i]
            for c in 0..<e { yp[i * e + c] = x[src + c] * k }
          }
        }
      }
    }
    return .op(shape: [plan.length, bsz, e], data: y, parents: [self, p]) { out in
      let g = out.grad!
      self.accumulateGrad { d in
        let pv = p.data
        for (i, s) in plan.slotOfToken.enumerated() where s >= 0 {
          let dst = ((i % bsz) * n + s) * e
          let k = pv[i]
          for c in 0..<e { d[dst + c] += g[i * e + c] * k }
        }
      }
      p.accumulateGrad { d in
        self.data.withUnsafeBufferPointer { x in
          for (i, s) in plan.slotOfToken.enumerated() where s >= 0 {
            let src = ((i % bsz) * n + s) * e
            var acc: Float = 0
            for c in 0..<e { acc += g[i * e + c] * x[src + c] }
            d[i] += acc
          }
        }
      }
    }
  }
}
