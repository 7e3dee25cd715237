/// fairseq's `--fp16` inside the autograd engine: while on, every op output is rounded to half
/// (`HalfRounding`) and so is the gradient that reaches every op output and every leaf, so that
/// activations and intermediate gradients carry fp16's precision and overflow to inf where a half
/// model's would. Values stay in `[Float]` storage (4 bytes each).
///
/// How the reference's float32 islands (MODEL.md §1) map onto our ops:
/// - Every island that casts its result back to half (the EMA FFT convolution, every attention and
///   router softmax, `gelu`, the rotary tables and SeqBoat's RoPE, the bias-table gather, SeqBoat's
///   float scatter of compress) is inside one of our fused ops, which computes in float32 and has
///   its output rounded like any other op: nothing to opt out of.
/// - fairseq's criterion takes `log_softmax(·, dtype=float32)` of the logits and sums the NLL in
///   float32, and that float loss is what gets scaled. `crossEntropySum` and `logSoftmax` are such
///   islands (`Tensor.HalfOutput.float32`): neither their values nor their gradients are rounded,
///   and an op whose inputs are all islands (the sum of loss terms, the scaled loss) is one too.
///   The logits' gradient is half, as the backward of the reference's cast gives.
///
/// Known differences from a CUDA half model: inside our fused ops intermediates that the
/// reference keeps in half stay float32 (the EMA kernel, the convolution before the residual add
/// and silu, the attention scores `qk`, ScaleNorm's and RMSNorm's mean square), and the gradient
/// contributions to one tensor from several consumers are summed in float32 and rounded once.
public enum HalfMode {
  /// Whether op outputs and gradients are rounded to half (off by default).
  nonisolated(unsafe) public static var isEnabled = false

  /// Runs `body` with half mode on when `enabled` (unchanged otherwise).
  public static func withHalf<T>(_ enabled: Bool = true, _ body: () throws -> T) rethrows -> T {
    let saved = isEnabled
    isEnabled = enabled || saved
    defer { isEnabled = saved }
    return try body()
  }
}
