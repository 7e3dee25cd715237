/// fairseq's `--fp16` inside the autograd engine, carried by the tensors themselves as PyTorch
/// carries a dtype: `Module.withHalfWeights` marks a model's weights half (`convertToHalf()`), and
/// an op with any half (or float32-island) input is a half op: its output is rounded to half
/// (`HalfRounding`) and so is the gradient that reaches it, and a half leaf's gradient is rounded
/// too, so that activations and intermediate gradients carry fp16's precision and overflow to inf
/// where a half model's would. Values stay in `[Float]` storage (4 bytes each). An op whose inputs
/// are all plain float32 is plain float32: nothing else switches half mode on or off.
///
/// How the reference's float32 islands (MODEL.md §1) map onto our ops:
/// - Every island that casts its result back to half (the EMA FFT convolution, every attention and
///   router softmax, `gelu`, the rotary tables and SeqBoat's RoPE, the bias-table gather, SeqBoat's
///   float scatter of compress) is inside one of our fused ops, which computes in float32 and has
///   its output rounded like any other op: nothing to opt out of.
/// - fairseq's criterion takes `log_softmax(·, dtype=float32)` of the logits and sums the NLL in
///   float32, and that float loss is what gets scaled. `crossEntropySum` and `logSoftmax` are such
///   islands (`HalfOutput.float32`): neither their values nor their gradients are rounded, and an
///   op whose inputs are all islands (the sum of loss terms, the scaled loss) is one too. The
///   logits' gradient is half, as the backward of the reference's cast gives.
///
/// Known differences from a CUDA half model: inside our fused ops intermediates that the
/// reference keeps in half stay float32 (the EMA kernel, the convolution before the residual add
/// and silu, the attention scores `qk`, ScaleNorm's and RMSNorm's mean square), and the gradient
/// contributions to one tensor from several consumers are summed in float32 and rounded once.
extension Tensor {
  /// How an op's output is treated in a half model.
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

  /// What a tensor's values are.
  public enum Precision: Sendable {
    /// Plain float32: a float leaf, or an op whose inputs are all float.
    case float
    /// Half values (in float storage); the gradient reaching it is rounded to half too.
    case half
    /// A float32 island of a half model.
    case island
  }

  /// The precision of an op's output with `halfOutput` over `parents`, and whether its values
  /// must be rounded.
  static func precision(of halfOutput: HalfOutput, parents: [Tensor]) -> (Precision, Bool) {
    guard parents.contains(where: { $0.precision != .float }) else { return (.float, false) }
    if halfOutput == .float32 || parents.allSatisfy({ $0.precision == .island }) {
      return (.island, false)
    }
    if halfOutput == .copied && parents.allSatisfy({ $0.precision == .half }) {
      return (.half, false)
    }
    return (.half, true)
  }

  /// Marks this leaf half (fairseq's `model.half()` on one weight): its values are rounded to
  /// half, and ops that read it are half ops. `convertToFloat()` undoes the mark (the values stay).
  public func convertToHalf() {
    precondition(backwardFn == nil && parents.isEmpty, "convertToHalf() on an op output")
    HalfRounding.round(&data)
    precision = .half
  }

  /// Marks this leaf plain float32 again.
  public func convertToFloat() {
    precondition(backwardFn == nil && parents.isEmpty, "convertToFloat() on an op output")
    precision = .float
  }

  /// Rounds the gradient (if any) to half in place.
  func roundGradToHalf() {
    guard grad != nil else { return }
    grad!.withUnsafeMutableBufferPointer { HalfRounding.round($0) }
  }
}
