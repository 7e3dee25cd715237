import Tensor

extension Tensor {
  /// Compress (MODEL.md §4.5): the rows of `self` (`[L, B, E]`, time-major) of the tokens `plan`
  /// assigns a slot, as `[B, n, E]`; empty slots are zero. Backward gathers the slot gradients back
  /// to their tokens.
  public func compressed(by plan: SlotPlan) -> Tensor {
    precondition(
      rank == 3 && shape[0] == plan.length && shape[1] == plan.batch, "compress \(shape)")
    let k = SlotGather(plan: plan, e: lastDim, parallelism: .current)
    let y = Tensor.withData([self]) { x in
      Tensor.uninitializedArray(plan.batch * plan.slots * k.e) { k.compress($0, x[0]) }
    }
    let shape = [plan.batch, plan.slots, k.e]
    return .fused(shape: shape, data: y, parents: [self], halfOutput: .copied) { g, d in
      if let dx = d[0] { k.compressBackward(dx, g) }
    }
  }

  /// Extract (MODEL.md §4.5): slot rows of `self` (`[B, n, E]`) back at their tokens, scaled by the
  /// router multiplier `p` (`[L, B]`), as `[L, B, E]`; zero at tokens without a slot.
  public func extracted(by plan: SlotPlan, scale p: Tensor) -> Tensor {
    let (bsz, n, e) = (plan.batch, plan.slots, lastDim)
    precondition(shape == [bsz, n, e], "extract \(shape) by a plan of \(bsz)×\(n)")
    precondition(p.count == plan.length * bsz, "extract multiplier \(p.shape)")
    let k = SlotGather(plan: plan, e: e, parallelism: .current)
    let y = Tensor.withData([self, p]) { x in
      Tensor.uninitializedArray(plan.length * bsz * e) { k.extract($0, x[0], scale: x[1]) }
    }
    return .fused(shape: [plan.length, bsz, e], data: y, parents: [self, p]) { g, d in
      Tensor.withData([self, p]) { x in k.extractBackward(d[0], d[1], g, x[0], scale: x[1]) }
    }
  }
}

/// The slot gathers' kernels: token `i` (time-major, `[L·B]`) of sequence `i % B` with a slot
/// `s ≥ 0` is row `(i % B)·n + s` of the `[B, n, E]` slot array.
struct SlotGather {
  let plan: SlotPlan
  let e: Int
  /// Threads that run ranges of tokens at once (each slot row belongs to one token).
  let parallelism: Parallelism

  /// The slot row of token `i`, or nil.
  @inline(__always) func slotRow(_ i: Int) -> Int? {
    let s = plan.slotOfToken[i]
    return s < 0 ? nil : (i % plan.batch) * plan.slots + s
  }

  /// `y[slot] = x[token]`; empty slots zero.
  func compress(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>) {
    y.update(repeating: 0, count: plan.batch * plan.slots * e)
    parallelism.forEachSplit(plan.slotOfToken.count) { tokens, _ in
      for i in tokens {
        if let row = slotRow(i) { (y + row * e).update(from: x + i * e, count: e) }
      }
    }
  }

  /// `dx[token] += g[slot]`.
  func compressBackward(_ dx: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>) {
    parallelism.forEachSplit(plan.slotOfToken.count) { tokens, _ in
      for i in tokens {
        guard let row = slotRow(i) else { continue }
        for c in 0..<e { dx[i * e + c] += g[row * e + c] }
      }
    }
  }

  /// `y[token] = x[slot]·p[token]`; tokens without a slot zero.
  func extract(
    _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, scale p: UnsafePointer<Float>
  ) {
    y.update(repeating: 0, count: plan.slotOfToken.count * e)
    parallelism.forEachSplit(plan.slotOfToken.count) { tokens, _ in
      for i in tokens {
        guard let row = slotRow(i) else { continue }
        for c in 0..<e { y[i * e + c] = x[row * e + c] * p[i] }
      }
    }
  }

  /// `dx[slot] += g[token]·p[token]`, `dp[token] += Σ_c g·x[slot]`; nil pointers are skipped.
  func extractBackward(
    _ dx: UnsafeMutablePointer<Float>?, _ dp: UnsafeMutablePointer<Float>?,
    _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, scale p: UnsafePointer<Float>
  ) {
    func token(_ i: Int) {
      guard let row = slotRow(i) else { return }
      if let dx { for c in 0..<e { dx[row * e + c] += g[i * e + c] * p[i] } }
      guard let dp else { return }
      var acc: Float = 0
      for c in 0..<e { acc += g[i * e + c] * x[row * e + c] }
      dp[i] += acc
    }
    parallelism.forEachSplit(plan.slotOfToken.count) { tokens, _ in
      for i in tokens { token(i) }
    }
  }
}
