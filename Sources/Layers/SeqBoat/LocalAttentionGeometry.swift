import Tensor

/// The kernels of SeqBoat's local attention (`Tensor.seqBoatLocalAttention`) and what they share.
enum LocalAttention {
  /// The blocks of one call (sequence b, block of W queries), where their scores live in the
  /// concatenated score buffer, each query's scale, and the bias table's indexing.
  struct Geometry {
    let plan: SlotPlan
    let spec: LocalAttentionSpec
    let bias: LocalAttentionBias
    let bsz, n, z, h: Int
    /// Window W (n in the global mode) and blocks per sequence.
    let w, blocks: Int
    /// Offset of block `b·blocks + blk`'s scores; the last entry is the total.
    let offsets: [Int]
    /// The scale of each query slot `b·n + i`.
    let rowScale: FloatBuffer
    /// Table entries, and the entry of distance 0 (`mid`).
    let tableCount, mid: Int
    /// Threads that run blocks (forward) and sequences (backward) at once.
    let parallelism: Parallelism

    /// The attention-dropout index of score (query slot i, key slot j) of sequence b: masks live
    /// on an `[B, L, L]` grid, so they follow the slots, not the block layout (which depends on
    /// the local batch's slot count).
    func dropoutIndex(_ b: Int, _ i: Int, _ j: Int) -> Int {
      (b * plan.length + i) * plan.length + j
    }

    init(
      plan: SlotPlan, spec: LocalAttentionSpec, bias: LocalAttentionBias, z: Int, h: Int,
      parallelism: Parallelism
    ) {
      self.parallelism = parallelism
      let (bsz, n) = (plan.batch, plan.slots)
      let w = spec.window ?? n
      let blocks = (n + w - 1) / w
      (self.plan, self.spec, self.bias, self.z, self.h) = (plan, spec, bias, z, h)
      (self.bsz, self.n, self.w, self.blocks) = (bsz, n, w, blocks)
      var validKeys = [Int](repeating: 0, count: bsz)
      for slot in 0..<(bsz * n) where plan.valid[slot] { validKeys[slot / n] += 1 }
      rowScale = FloatBuffer(zeros: bsz * n)
      for slot in 0..<(bsz * n) {
        rowScale.base[slot] = spec.queryScale(z: z, slot: slot % n, validKeys: validKeys[slot / n])
      }
      var offsets = [Int](repeating: 0, count: bsz * blocks + 1)
      for b in 0..<bsz {
        for blk in 0..<blocks {
          let r = Geometry.range(blk, w: w, n: n, causal: spec.causal)
          offsets[b * blocks + blk + 1] = offsets[b * blocks + blk] + (r.q1 - r.q0) * (r.k1 - r.k0)
        }
      }
      self.offsets = offsets
      tableCount = bias.table?.count ?? 0
      switch bias {
      case .none: mid = 0
      case .slotDistance: mid = 4 * w - 1
      case .originalPositions: mid = (tableCount + 1) / 2 - 1
      }
    }

    /// Block `blk`'s queries `q0..<q1` and keys `k0..<k1`.
    func range(_ blk: Int) -> (q0: Int, q1: Int, k0: Int, k1: Int) {
      Geometry.range(blk, w: w, n: n, causal: spec.causal)
    }

    private static func range(_ blk: Int, w: Int, n: Int, causal: Bool) -> (
      q0: Int, q1: Int, k0: Int, k1: Int
    ) {
      let q0 = blk * w
      let q1 = min(n, q0 + w)
      return (q0, q1, max(0, q0 - w), min(n, causal ? q1 : q1 + w))
    }

    /// The columns `lo..<hi` of a score row (query i, keys from k0, kn of them) within the
    /// window: keys j with |i − j| ≤ w (and j ≤ i when causal); the others are masked.
    func window(_ i: Int, _ k0: Int, _ kn: Int) -> (lo: Int, hi: Int) {
      let lo = min(max(i - w - k0, 0), kn)
      return (lo, max(lo, min((spec.causal ? i + 1 : i + w + 1) - k0, kn)))
    }

    /// Index into the bias table for slots (i, j) of sequence b, or -1 for no bias.
    func biasIndex(_ b: Int, _ i: Int, _ j: Int) -> Int {
      switch bias {
      case .none: return -1
      case .slotDistance: return mid + j - i
      case .originalPositions:
        let pi = plan.position[b * n + i]
        let pj = plan.position[b * n + j]
        if pi == 0 || pj == 0 { return -1 }
        return min(max(mid + pj - pi, 0), tableCount - 1)
      }
    }
  }

  /// What backward reads: the weights (and, with dropout, the dropped weights) and laplace's
  /// slopes, each in the concatenated score layout.
  final class Saved {
    let probs: FloatBuffer
    let dropped: FloatBuffer?
    let slopes: FloatBuffer?

    init(_ g: Geometry, dropout: Bool) {
      let count = g.offsets[g.bsz * g.blocks]
      probs = FloatBuffer(zeros: count)
      dropped = dropout ? FloatBuffer(zeros: count) : nil
      slopes = g.spec.function == .laplace ? FloatBuffer(zeros: count) : nil
    }
  }
}
