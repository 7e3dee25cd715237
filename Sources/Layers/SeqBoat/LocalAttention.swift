import Tensor

#if canImport(Glibc)
  import Glibc
#endif

/// The relative-position bias of SeqBoat's local attention (MODEL.md §4.6).
public enum LocalAttentionBias {
  /// No bias (RoPE on q and k instead, or no positions).
  case none
  /// `--local-pos`: `w[4W − 1 + (j − i)]` by slot distance; the table has `6W − 1` entries.
  case slotDistance(Tensor)
  /// Full table by original positions: `w[clamp(M − 1 + pos_j − pos_i, 0, 2M − 2)]`, `2M − 1` entries.
  case originalPositions(Tensor)

  var table: Tensor? {
    switch self {
    case .none: return nil
    case .slotDistance(let w), .originalPositions(let w): return w
    }
  }
}

/// Shape of one SeqBoat attention call (MODEL.md §4.6): windows of `window` slots (`chunk_size >
/// 0`) or, in the global mode (`chunk_size < 0`), every slot of the sequence; causal or
/// bidirectional.
public struct LocalAttentionSpec: Sendable {
  /// Window size W; nil in the global mode (one window holding every slot).
  public var window: Int?
  /// Causal (`0 ≤ i − j ≤ W`) or bidirectional (`|i − j| ≤ W`).
  public var causal: Bool
  /// Softmax, relu2 or laplace.
  public var function: AttentionFunction

  /// A spec for windows of `window` slots (nil: global).
  public init(window: Int?, causal: Bool, function: AttentionFunction) {
    self.window = window
    self.causal = causal
    self.function = function
  }

  /// The constant query `i` (slot index) is multiplied by, for query/key dimension `z`, in a
  /// sequence with `validKeys` valid slots: `Z^{-1/2}` (softmax); for relu2 and laplace `1/W`
  /// (causal) or `1/(2W)` with a window, and without one `1/(i + 1)` (causal: the row sum of the
  /// causal mask) or `1/validKeys` (at least 1).
  public func queryScale(z: Int, slot i: Int, validKeys: Int) -> Float {
    switch function {
    case .softmax: return 1 / Float(z).squareRoot()
    case .relu2, .laplace:
      if let window { return causal ? 1 / Float(window) : 1 / Float(2 * window) }
      return causal ? 1 / Float(i + 1) : 1 / Float(max(validKeys, 1))
    }
  }

  /// The weight a masked key gets. The reference's windowed path sets masked scores to 0 before
  /// the attention function, so laplace gives them `laplace(0)` (relu2 gives 0, softmax masks
  /// with −5·10⁴); its global path multiplies by the masks, giving 0.
  public var maskedWeight: Float {
    guard function == .laplace, window != nil else { return 0 }
    return Activation.laplaceWithSlope(0).value
  }
}

extension Tensor {
  /// SeqBoat's attention over the slots of `plan` (MODEL.md §4.6): `q`, `k` `[B, n, Z]`,
  /// `v` `[B, n, H]` → `[B, n, H]`. Only valid slots are keys; outputs of invalid slots are zero
  /// (they are never extracted). One fused op: per block of W queries (one block of every slot in
  /// the global mode), the scores against the keys of the neighbouring blocks are one GEMM, scaled,
  /// masked, biased and activated in place. Windowed laplace follows the reference exactly: every
  /// masked key of the three (causal: two) blocks gets `laplace(0)`, including the reference's
  /// out-of-range blocks, whose values are −1 (a constant, outside `dropout`). `dropout` is the
  /// attention-weight dropout mask, indexed by position in the concatenated score blocks.
  /// The math is `LocalAttention.forward` and `backward` over flat buffers.
  public static func seqBoatLocalAttention(
    q: Tensor, k: Tensor, v: Tensor, plan: SlotPlan, spec: LocalAttentionSpec,
    bias: LocalAttentionBias, dropout: DropoutDraw? = nil, parallelism: Parallelism = .current
  ) -> Tensor {
    let (bsz, n, z) = (q.shape[0], q.shape[1], q.lastDim)
    let h = v.lastDim
    precondition(k.shape == q.shape && v.shape == [bsz, n, h], "local attention shapes")
    precondition(plan.batch == bsz && plan.slots == n, "local attention plan")
    let table = bias.table
    let g = LocalAttention.Geometry(
      plan: plan, spec: spec, bias: bias, z: z, h: h, parallelism: parallelism)
    let saved = LocalAttention.Saved(g, dropout: dropout != nil)
    let inputs = [q, k, v, table ?? Tensor.zeros([0])]
    let out = Tensor.withData(inputs) { x in
      Tensor.uninitializedArray(bsz * n * h) { out in
        LocalAttention.forward(out, saved, q: x[0], k: x[1], v: x[2], table: x[3], dropout, g)
      }
    }
    let parents = [q, k, v] + (table.map { [$0] } ?? [])
    return .fused(shape: [bsz, n, h], data: out, parents: parents) { grad, d in
      Tensor.withData(inputs) { x in
        let dTable = d.count > 3 ? d[3] : nil
        LocalAttention.backward(
          d[0], d[1], d[2], dTable, grad, q: x[0], k: x[1], v: x[2], saved, dropout, g)
      }
    }
  }
}
