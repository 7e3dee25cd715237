import Glibc
import Tensor

/// fairseq's `radam` (rectified Adam, MODEL.md §6.3). While the variance rectification term ρ_t is
/// below 5 the update is momentum SGD with bias correction (`degenerated_to_sgd`), or no step at all
/// when that option is off; afterwards an adaptive step scaled by the rectification factor.
public final class RAdam: MomentOptimizer {
  /// (β₁, β₂).
  public let betas: (Double, Double)
  /// ε added to √v.
  public let eps: Double
  /// Decoupled weight decay.
  public let weightDecay: Double
  /// Whether updates with ρ_t < 5 take a momentum-SGD step (fairseq default true).
  public let degeneratedToSGD: Bool
  /// Per-parameter moments and step counts, by parameter name.
  public var state: [String: MomentState] = [:]

  /// fairseq's defaults: betas (0.9, 0.999), eps 1e-8, no decay, degenerated_to_sgd on.
  public init(
    betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8, weightDecay: Double = 0,
    degeneratedToSGD: Bool = true
  ) {
    self.betas = betas
    self.eps = eps
    self.weightDecay = weightDecay
    self.degeneratedToSGD = degeneratedToSGD
  }

  /// ρ∞ = 2/(1−β₂) − 1, ρ_t = ρ∞ − 2t·β₂ᵗ/(1−β₂ᵗ); adaptive with the rectification factor when
  /// ρ_t ≥ 5, else momentum with `1/(1−β₁ᵗ)`.
  public func update(step t: Int) -> MomentUpdate {
    let (b1, b2) = betas
    let b2t = pow(b2, Double(t))
    let rhoInf = 2 / (1 - b2) - 1
    let rho = rhoInf - 2 * Double(t) * b2t / (1 - b2t)
    let bc1 = 1 - pow(b1, Double(t))
    if rho >= 5 {
      let r = ((1 - b2t) * (rho - 4) / (rhoInf - 4) * (rho - 2) / rho * rhoInf / (rhoInf - 2))
      return .adaptive(scale: r.squareRoot() / bc1)
    }
    return degeneratedToSGD ? .momentum(scale: 1 / bc1) : .none
  }
}
