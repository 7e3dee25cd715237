extension Tensor {
  /// How an op's output is treated under `HalfMode`.
  public enum HalfOutput: Sendable {
    /// Rounded to half, and so is its gradient: every op of a half model.
    case rounded
    /// Values copied from the inputs (reshape, permute, slices, gathers): not rounded again when
    /// every input is already half; a float32 island when every input is one.
    case copied
    /// A float32 island of the reference (the loss's log-softmax and NLL sum): neither the values
    /// nor the gradient are rounded.
    case float32
  }

  /// What a tensor's values are under `HalfMode`.
  enum Precision {
    /// Plain float32: a leaf, or made with half mode off.
    case float
    /// Half values (in float storage); the gradient reaching it is rounded to half too.
    case half
    /// A float32 island of a half model.
    case island
  }

  /// The precision of an op's output with `halfOutput` over `parents`, and whether its values
  /// must be rounded.
  static func precision(of halfOutput: HalfOutput, parents: [Tensor]) -> (Precision, Bool) {
    guard HalfMode.isEnabled else { return (.float, false) }
    if halfOutput == .float32
      || (!parents.isEmpty && parents.allSatisfy { $0.precision == .island })
    {
      return (.island, false)
    }
    if halfOutput == .copied && parents.allSatisfy({ $0.precision == .half }) {
      return (.half, false)
    }
    return (.half, true)
  }

  /// Rounds the gradient (if any) to half in place.
  func roundGradToHalf() {
    guard grad != nil else { return }
    grad!.withUnsafeMutableBufferPointer { HalfRounding.round($0) }
  }
}
