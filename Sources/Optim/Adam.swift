import Glibc
import Tensor

/// fairseq's `adam` (MODEL.md §6.3): decoupled weight decay `θ ← θ − lr·wd·θ` before the step, then
/// `θ ← θ − lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m/(√v + ε)` (ε outside the bias correction, unlike AdamW).
public final class Adam: MomentOptimizer {
  /// (β₁, β₂).
  public let betas: (Double, Double)
  /// ε added to √v.
  public let eps: Double
  /// Decoupled weight decay.
  public let weightDecay: Double
  /// Per-parameter moments and step counts, by parameter name.
  public var state: [String: MomentState] = [:]

  /// fairseq's defaults are betas (0.9, 0.999), eps 1e-8, no decay; every Mega/SeqBoat script uses
  /// betas (0.9, 0.98).
  public init(betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8, weightDecay: Double = 0) {
    self.betas = betas
    self.eps = eps
    self.weightDecay = weightDecay
  }

  /// Bias-corrected step `√(1−β₂ᵗ)/(1−β₁ᵗ)` on the adaptive update.
  public func update(step t: Int) -> MomentUpdate {
    let bc1 = 1 - pow(betas.0, Double(t))
    let bc2 = 1 - pow(betas.1, Double(t))
    return .adaptive(scale: bc2.squareRoot() / bc1)
  }
}
