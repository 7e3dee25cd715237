import Tensor

#if canImport(Glibc)
  import Glibc
#endif

/// The decisions of a SeqBoat router ("latent configurator", MODEL.md §4.4) for one forward call.
///
/// Token indices are time-major, `t·B + b`, as in the layer's `L × B × ·` activations.
public struct RouterDecision {
  /// Sequence length L.
  public let length: Int
  /// Batch size B.
  public let batch: Int
  /// Router probabilities `[π₀, π₁]` per token, time-major `[L, B, 2]`.
  public let probs: [Float]
  /// Whether each token is active (`π₁ > π₀` and not padding).
  public let active: [Bool]

  /// A decision for `length × batch` tokens (time-major `probs` and `active`).
  public init(length: Int, batch: Int, probs: [Float], active: [Bool]) {
    precondition(probs.count == 2 * length * batch && active.count == length * batch)
    self.length = length
    self.batch = batch
    self.probs = probs
    self.active = active
  }

  /// Number of active tokens of sequence `b`.
  public func activeCount(_ b: Int) -> Int {
    var n = 0
    for t in 0..<length where active[t * batch + b] { n += 1 }
    return n
  }

  /// The largest active count over the sequences of this call.
  public var maxActiveCount: Int { (0..<batch).map(activeCount).max() ?? 0 }
}

extension Tensor {
  /// The router of a SeqBoat unit on `logits` (`[L, B, 2]`, the first two outputs of `hx_proj`)
  /// with learned temperature `temp` (`q_router.temp`, one element): π = softmax(([ℓ₀ + actBias,
  /// ℓ₁]) / exp(temp)); a token is active iff π₁ > π₀ and it is not padding (`paddingMask` `[B, L]`,
  /// true = padding). Returns the multiplier
  /// `p = π₁ · active` (`[L, B]`) and the decision. The decision is a constant of the backward pass:
  /// gradient reaches `logits` and `temp` only through `p` at active tokens.
  public static func seqBoatRouter(
    logits: Tensor, temp: Tensor, paddingMask: [Bool]?, actBias: Float = 0,
    parallelism: Parallelism = .current
  ) -> (p: Tensor, decision: RouterDecision) {
    precondition(logits.rank == 3 && logits.lastDim == 2, "router logits \(logits.shape)")
    precondition(temp.count == 1, "router temperature \(temp.shape)")
    let (length, batch) = (logits.shape[0], logits.shape[1])
    let tokens = length * batch
    precondition(paddingMask == nil || paddingMask!.count == tokens, "router padding mask size")
    let k = RouterKernels(
      tokens: tokens, batch: batch, length: length, actBias: Double(actBias),
      invT: Double(exp(-Double(temp.data[0]))), parallelism: parallelism)
    var probs = [Float](repeating: 0, count: 2 * tokens)
    var pi1 = [Double](repeating: 0, count: tokens)
    var active = [Bool](repeating: false, count: tokens)
    let p = Tensor.withData([logits]) { x in
      Tensor.uninitializedArray(tokens) { p in
        probs.withUnsafeMutableBufferPointer { probs in
          pi1.withUnsafeMutableBufferPointer { pi1 in
            active.withUnsafeMutableBufferPointer { active in
              k.forward(
                p, probs.baseAddress!, pi1.baseAddress!, active.baseAddress!, logits: x[0],
                paddingMask: paddingMask)
            }
          }
        }
      }
    }
    let decision = RouterDecision(length: length, batch: batch, probs: probs, active: active)
    let out = Tensor.fused(shape: [length, batch], data: p, parents: [logits, temp]) { g, d in
      Tensor.withData([logits]) { x in k.backward(d[0], d[1], g, logits: x[0], pi1, active) }
    }
    return (out, decision)
  }
}

/// The router's kernels over `tokens` time-major tokens, in double precision.
struct RouterKernels {
  let tokens, batch, length: Int
  let actBias: Double
  /// 1/T = exp(−temp).
  let invT: Double
  let parallelism: Parallelism

  /// `p = π₁·active` per token, with `probs` `[π₀, π₁]`, π₁ in double and the decisions.
  func forward(
    _ p: UnsafeMutablePointer<Float>, _ probs: UnsafeMutablePointer<Float>,
    _ pi1: UnsafeMutablePointer<Double>, _ active: UnsafeMutablePointer<Bool>,
    logits: UnsafePointer<Float>, paddingMask: [Bool]?
  ) {
    func token(_ i: Int) {
      let d = (Double(logits[2 * i + 1]) - Double(logits[2 * i]) - actBias) * invT
      let s = 1 / (1 + exp(-d))
      pi1[i] = s
      probs[2 * i] = Float(1 - s)
      probs[2 * i + 1] = Float(s)
      let (t, b) = i.quotientAndRemainder(dividingBy: batch)
      active[i] = s > 1 - s && !(paddingMask?[b * length + t] ?? false)
      p[i] = active[i] ? Float(s) : 0
    }
    parallelism.forEachSplit(tokens) { range, _ in
      for i in range { token(i) }
    }
  }

  /// Adds `dL/dlogits` and `dL/dtemp` given the gradient `g` of `p`; nil pointers are skipped.
  func backward(
    _ dLogits: UnsafeMutablePointer<Float>?, _ dTemp: UnsafeMutablePointer<Float>?,
    _ g: UnsafePointer<Float>, logits: UnsafePointer<Float>, _ pi1: [Double], _ active: [Bool]
  ) {
    if let dLogits {
      parallelism.forEachSplit(tokens) { range, _ in
        for i in range where active[i] {
          let s = pi1[i]
          let dd = Double(g[i]) * s * (1 - s) * invT
          dLogits[2 * i + 1] += Float(dd)
          dLogits[2 * i] += Float(-dd)
        }
      }
    }
    // The temperature's gradient: one sum over the tokens in order.
    var sumTemp: Double = 0
    for i in 0..<tokens where active[i] {
      // π₁ = σ(d / T): ∂π₁/∂ℓ₁ = π₀π₁/T = −∂π₁/∂ℓ₀; ∂π₁/∂temp = −π₀π₁·d/T.
      let s = pi1[i]
      let dd = Double(g[i]) * s * (1 - s) * invT
      let raw = Double(logits[2 * i + 1]) - Double(logits[2 * i]) - actBias
      sumTemp -= dd * raw
    }
    dTemp?[0] += Float(sumTemp)
  }
}
