import Tensor

/// An optimizer over a flat list of named parameters (one parameter group).
///
/// A parameter whose `grad` is nil took no part in this update (on any rank, once gradients are
/// all-reduced): it is skipped entirely — no weight decay, no moment update, its step count unchanged.
public protocol Optimizer: AnyObject {
  /// Updates every parameter that has a gradient, with learning rate `lr`.
  func step(_ parameters: [(name: String, tensor: Tensor)], lr: Double) throws
  /// Per-parameter state by parameter name, for checkpoints (read, or assign to restore).
  var state: [String: MomentState] { get set }
}

/// The state torch keeps per parameter for Adam-style optimizers.
public struct MomentState: Equatable {
  /// Number of updates this parameter took part in (`state['step']`).
  public var step: Int
  /// First moment (`exp_avg`), one value per element of the parameter.
  public var expAvg: [Float]
  /// Second moment (`exp_avg_sq`), one value per element of the parameter.
  public var expAvgSq: [Float]

  /// State with the given values; `expAvg` and `expAvgSq` must have the parameter's element count.
  public init(step: Int, expAvg: [Float], expAvgSq: [Float]) {
    self.step = step
    self.expAvg = expAvg
    self.expAvgSq = expAvgSq
  }

  /// Fresh state (step 0, zero moments) for a parameter of `count` elements.
  public init(count: Int) {
    self.init(
      step: 0, expAvg: [Float](repeating: 0, count: count),
      expAvgSq: [Float](repeating: 0, count: count))
  }
}

/// What one update does with the moments, for a parameter at step `t` (after incrementing).
public enum MomentUpdate: Equatable {
  /// θ ← θ(1 − lr·wd);  θ ← θ − lr·scale·m/(√v + ε).
  case adaptive(scale: Double)
  /// θ ← θ(1 − lr·wd);  θ ← θ − lr·scale·m  (RAdam's momentum-SGD start).
  case momentum(scale: Double)
  /// The parameter is left unchanged (moments are still updated).
  case none
}

/// An optimizer of the Adam family: exponential moments of the gradient with betas (β₁, β₂),
/// fairseq's decoupled weight decay applied before the step (on the current θ), ε outside the bias
/// correction. Conformers choose only how step `t` uses the moments (`update(step:)`).
public protocol MomentOptimizer: Optimizer {
  /// (β₁, β₂).
  var betas: (Double, Double) { get }
  /// ε added to √v.
  var eps: Double { get }
  /// Decoupled weight decay, applied to every parameter that has a gradient.
  var weightDecay: Double { get }
  /// The rule for a parameter whose step counter has just become `step` (1-based).
  func update(step: Int) -> MomentUpdate
}

extension MomentOptimizer {
  /// One update of every parameter with a gradient (see `Optimizer`). Throws when restored state
  /// does not match a parameter's element count.
  public func step(_ parameters: [(name: String, tensor: Tensor)], lr: Double) throws {
    for (name, p) in parameters {
      guard let grad = p.grad else { continue }
      // Taken out of the dictionary so that the moments are updated in place, not copied.
      var s = state.removeValue(forKey: name) ?? MomentState(count: p.count)
      guard s.expAvg.count == p.count, s.expAvgSq.count == p.count, grad.count == p.count else {
        state[name] = s
        throw OptimError.stateSize(name: name, expected: p.count, got: s.expAvg.count)
      }
      s.step += 1
      apply(update(step: s.step), lr: lr, grad: grad, to: p, state: &s)
      state[name] = s
    }
  }

  private func apply(
    _ rule: MomentUpdate, lr: Double, grad: [Float], to p: Tensor, state s: inout MomentState
  ) {
    let (b1, b2) = betas
    let decay = 1 - lr * weightDecay
    let eps = eps
    grad.withUnsafeBufferPointer { g in
      s.expAvg.withUnsafeMutableBufferPointer { m in
        s.expAvgSq.withUnsafeMutableBufferPointer { v in
          p.data.withUnsafeMutableBufferPointer { theta in
            // Elements are independent: any split over the current threads gives the same bits.
            Parallelism.current.forEachSplit(theta.count, grain: Parallelism.elementGrain) {
              range, _ in
              for i in range {
                let gi = Double(g[i])
                let mi = b1 * Double(m[i]) + (1 - b1) * gi
                let vi = b2 * Double(v[i]) + (1 - b2) * gi * gi
                m[i] = Float(mi)
                v[i] = Float(vi)
                switch rule {
                case .adaptive(let scale):
                  let t = Double(theta[i]) * decay
                  theta[i] = Float(t - lr * scale * mi / (vi.squareRoot() + eps))
                case .momentum(let scale):
                  theta[i] = Float(Double(theta[i]) * decay - lr * scale * mi)
                case .none:
                  break
                }
              }
            }
          }
        }
      }
    }
  }
}
