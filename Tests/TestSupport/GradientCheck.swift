import Tensor

/// Finite-difference check of an op's backward pass (a test tool: every differentiable op and
/// layer of the engine is checked with it).
///
/// The scalar is `Σ f(inputs) ⊙ w` for a fixed random cotangent `w`; for every input element (or a
/// random sample of them) the analytic gradient is compared with a central difference computed in
/// float32 with step `h`, relative to the largest analytic gradient of that input.
public enum GradientCheck {
  /// The worst error, `max |analytic − numeric| / max(max |analytic|, 1e-3)`, over all inputs.
  public static func maxRelativeError(
    inputs: [Tensor], step h: Float = 1e-2, samplesPerInput: Int = 40, seed: UInt64 = 7,
    _ f: ([Tensor]) throws -> Tensor
  ) rethrows -> Float {
    var rng = SplitMix64(seed: seed)
    let probe = try GradMode.withoutGrad { try f(inputs) }
    let w = (0..<probe.count).map { _ in Float(rng.normal()) }
    for x in inputs { x.grad = nil }
    try f(inputs).dot(w).backward()
    var worst: Float = 0
    for x in inputs where x.requiresGrad {
      let analytic = x.gradOrZeros
      let scale = max(analytic.map(abs).max() ?? 0, 1e-3)
      let picks =
        x.count <= samplesPerInput
        ? Array(0..<x.count) : (0..<samplesPerInput).map { _ in Int(rng.next() % UInt64(x.count)) }
      for i in picks {
        let saved = x.data[i]
        x.data[i] = saved + h
        let plus = try GradMode.withoutGrad { try f(inputs).dot(w).item }
        x.data[i] = saved - h
        let minus = try GradMode.withoutGrad { try f(inputs).dot(w).item }
        x.data[i] = saved
        let numeric = (plus - minus) / (2 * h)
        worst = max(worst, abs(numeric - analytic[i]) / scale)
      }
    }
    return worst
  }
}
