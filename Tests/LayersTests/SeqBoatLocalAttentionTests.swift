import Layers
import Tensor
import TestSupport
import XCTest

final class SeqBoatLocalAttentionTests: XCTestCase {
  /// A plan over L = 11 tokens of 2 sequences: sequence 0 fully active when `full`, else sparse.
  func plan(full: Bool) -> SlotPlan {
    let (len, bsz) = (11, 2)
    var active = [Bool](repeating: false, count: len * bsz)
    for t in 0..<len {
      active[t * bsz] = full || t % 3 != 1
      active[t * bsz + 1] = t % 2 == 0
    }
    let d = RouterDecision(
      length: len, batch: bsz, probs: [Float](repeating: 0.5, count: 2 * len * bsz), active: active)
    return SlotPlan(decision: d, compress: d.maxActiveCount < len)
  }

  /// The formulas of MODEL.md §4.6 and the reference's masking, pair by pair, in Double: allowed
  /// keys get f(score); with a window, laplace gives every other key of the query's neighbour
  /// blocks `laplace(0)`, and each missing neighbour block adds W keys of value −1.
  func naive(
    q: Tensor, k: Tensor, v: Tensor, plan: SlotPlan, spec: LocalAttentionSpec, table: Tensor?,
    slotDistance: Bool
  ) -> [Float] {
    let (bsz, n, z, h) = (q.shape[0], q.shape[1], q.lastDim, v.lastDim)
    let w = spec.window ?? n
    let blocks = (n + w - 1) / w
    func laplace(_ x: Double) -> Double {
      0.5 * (1 + erf((x - 0.707107) / (0.282095 * 2.0.squareRoot())))
    }
    let masked = spec.function == .laplace && spec.window != nil ? laplace(0) : 0
    var out = [Float](repeating: 0, count: bsz * n * h)
    for b in 0..<bsz {
      let validKeys = (0..<n).filter { plan.valid[b * n + $0] }.count
      for i in 0..<n where plan.valid[b * n + i] {
        let scale = Double(spec.queryScale(z: z, slot: i, validKeys: validKeys))
        var scores: [(Int, Double)] = []
        var maskedKeys: [Int] = []
        for j in 0..<n {
          let d = i - j
          let inWindow = spec.causal ? (0...w).contains(d) : (-w...w).contains(d)
          guard plan.valid[b * n + j], inWindow else {
            let blk = j / w - i / w
            if blk >= -1, blk <= (spec.causal ? 0 : 1) { maskedKeys.append(j) }
            continue
          }
          var s = 0.0
          for c in 0..<z {
            s += scale * Double(q.data[(b * n + i) * z + c] * k.data[(b * n + j) * z + c])
          }
          if let table {
            let m = (table.count + 1) / 2
            let idx =
              slotDistance
              ? 4 * w - 1 + j - i
              : min(max(m - 1 + plan.position[b * n + j] - plan.position[b * n + i], 0), 2 * m - 2)
            s += Double(table.data[idx])
          }
          scores.append((j, s))
        }
        var weights: [Double]
        switch spec.function {
        case .softmax:
          let m = scores.map(\.1).max()!
          let e = scores.map { exp($0.1 - m) }
          weights = e.map { $0 / e.reduce(0, +) }
        case .relu2: weights = scores.map { max($0.1, 0) * max($0.1, 0) }
        case .laplace: weights = scores.map { laplace($0.1) }
        }
        let keys = scores.map(\.0) + maskedKeys
        weights += maskedKeys.map { _ in masked }
        let missing = (i / w == 0 ? 1 : 0) + (!spec.causal && i / w == blocks - 1 ? 1 : 0)
        for c in 0..<h {
          var acc = -masked * Double(missing * w)
          for (j, a) in zip(keys, weights) { acc += a * Double(v.data[(b * n + j) * h + c]) }
          out[(b * n + i) * h + c] = Float(acc)
        }
      }
    }
    return out
  }

  func check(function: AttentionFunction, window: Int?, causal: Bool, bias: Int, full: Bool) {
    let plan = plan(full: full)
    let (bsz, n, z, h) = (2, plan.slots, 4, 3)
    let spec = LocalAttentionSpec(window: window, causal: causal, function: function)
    var rng = SplitMix64(seed: 5)
    let q = Tensor.randn([bsz, n, z], rng: &rng, requiresGrad: true)
    let k = Tensor.randn([bsz, n, z], rng: &rng, requiresGrad: true)
    let v = Tensor.randn([bsz, n, h], rng: &rng, requiresGrad: true)
    let table: Tensor? =
      bias == 0
      ? nil
      : Tensor.randn(
        [bias == 1 ? 6 * 3 - 1 : 2 * 5 - 1], rng: &rng, requiresGrad: true)
    let b: LocalAttentionBias =
      bias == 0 ? .none : bias == 1 ? .slotDistance(table!) : .originalPositions(table!)
    let got = Tensor.seqBoatLocalAttention(
      q: q, k: k, v: v, plan: plan, spec: spec, bias: b)
    let want = naive(
      q: q, k: k, v: v, plan: plan, spec: spec, table: table, slotDistance: bias == 1)
    let label = "\(function) window \(window ?? -1) causal \(causal) bias \(bias) full \(full)"
    for i in 0..<want.count { XCTAssertEqual(got.data[i], want[i], accuracy: 1e-5, label) }
    let inputs = [q, k, v] + (table.map { [$0] } ?? [])
    let err = GradientCheck.maxRelativeError(inputs: inputs, step: 1e-2) { x in
      let bb: LocalAttentionBias =
        bias == 0 ? .none : bias == 1 ? .slotDistance(x[3]) : .originalPositions(x[3])
      return Tensor.seqBoatLocalAttention(
        q: x[0], k: x[1], v: x[2], plan: plan, spec: spec, bias: bb)
    }
    XCTAssertLessThan(err, 2e-2, label)
  }

  func testEveryFunctionWindowedAndGlobalAllBiasesBothDirections() {
    for function in AttentionFunction.allCases {
      for window in [3, nil] {
        for causal in [false, true] {
          // The slot-distance table needs a window.
          for bias in window == nil ? [0, 2] : [0, 1, 2] {
            for full in [false, true] {
              check(function: function, window: window, causal: causal, bias: bias, full: full)
            }
          }
        }
      }
    }
  }

  /// Windowed laplace is not masked to zero: a masked key's value moves the output.
  func testWindowedLaplaceWeighsMaskedKeys() {
    let plan = plan(full: false)
    var rng = SplitMix64(seed: 21)
    let q = Tensor.randn([2, plan.slots, 4], rng: &rng)
    let k = Tensor.randn([2, plan.slots, 4], rng: &rng)
    var values = Tensor.randn([2, plan.slots, 3], rng: &rng).data
    func attend(_ function: AttentionFunction) -> [Float] {
      let spec = LocalAttentionSpec(window: 3, causal: false, function: function)
      let v = Tensor(shape: [2, plan.slots, 3], data: values)
      return Tensor.seqBoatLocalAttention(q: q, k: k, v: v, plan: plan, spec: spec, bias: .none)
        .data
    }
    let (laplace0, relu0) = (attend(.laplace), attend(.relu2))
    let empty = plan.valid.firstIndex(of: false)!
    for c in 0..<3 { values[empty * 3 + c] += 1 }
    XCTAssertGreaterThan(zip(attend(.laplace), laplace0).map { abs($0 - $1) }.max()!, 1e-3)
    XCTAssertEqual(attend(.relu2), relu0)
  }

  /// Attention-weight dropout: with the same masks on every call the backward matches finite
  /// differences, and some weights are dropped.
  func testAttentionDropoutGradients() {
    let plan = plan(full: false)
    let spec = LocalAttentionSpec(window: 3, causal: false, function: .softmax)
    var rng = SplitMix64(seed: 15)
    let q = Tensor.randn([2, plan.slots, 4], rng: &rng, requiresGrad: true)
    let k = Tensor.randn([2, plan.slots, 4], rng: &rng, requiresGrad: true)
    let v = Tensor.randn([2, plan.slots, 3], rng: &rng, requiresGrad: true)
    func attend(_ x: [Tensor], dropout: DropoutDraw?) -> Tensor {
      Tensor.seqBoatLocalAttention(
        q: x[0], k: x[1], v: x[2], plan: plan, spec: spec, bias: .none, dropout: dropout)
    }
    let mask = DropoutDraw(p: 0.3, key: 99)
    let plain = attend([q, k, v], dropout: nil)
    let dropped = attend([q, k, v], dropout: mask)
    XCTAssertGreaterThan(zip(plain.data, dropped.data).map { abs($0 - $1) }.max()!, 1e-3)
    let err = GradientCheck.maxRelativeError(inputs: [q, k, v]) { attend($0, dropout: mask) }
    XCTAssertLessThan(err, 2e-2)
  }

  func testRotaryPreservesPairNormsAndHasGradient() {
    let plan = plan(full: false)
    var rng = SplitMix64(seed: 9)
    let x = Tensor.randn([2, plan.slots, 6], rng: &rng, requiresGrad: true)
    let y = x.rotatedAtSlots(plan)
    for slot in 0..<(2 * plan.slots) {
      for c in 0..<3 {
        let i = slot * 6 + 2 * c
        let before = x.data[i] * x.data[i] + x.data[i + 1] * x.data[i + 1]
        let after = y.data[i] * y.data[i] + y.data[i + 1] * y.data[i + 1]
        XCTAssertEqual(after, plan.position[slot] > 0 ? before : 0, accuracy: 1e-4)
      }
    }
    // Position 1 is not rotated.
    XCTAssertEqual(y.data[0], x.data[0], accuracy: 1e-6)
    let err = GradientCheck.maxRelativeError(inputs: [x]) { $0[0].rotatedAtSlots(plan) }
    XCTAssertLessThan(err, 1e-2)
  }
}
