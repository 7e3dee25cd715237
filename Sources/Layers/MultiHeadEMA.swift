import Tensor

#if canImport(Glibc)
  import Glibc
#endif

/// How `MultiHeadEMA` computes its convolution.
public enum EMAMethod: Sendable {
  /// The linear recurrence (`EMAScan`), O(L·N) per channel: faster at every length measured.
  case scan
  /// The kernel convolution: direct sums for short kernels, FFT for long ones.
  case convolution
}

/// The multi-dimensional damped EMA of Mega and SeqBoat (`MultiHeadEMA`, MODEL.md §2), one fused op
/// with a hand-written backward: kernel from `delta, alpha, beta, gamma`, direct truncated
/// convolution (bidirectional or causal) over the padding-masked input, the `omega` residual on the
/// unmasked input and, for Mega, a final silu. Names `delta, alpha, beta [D', N, 1]`,
/// `gamma [D', N]`, `omega [E]`, with D' = 2E bidirectional, E causal.
public final class MultiHeadEMA: Module {
  /// Channels E.
  public let embedDim: Int
  /// Expansion N per channel.
  public let ndim: Int
  /// Both directions (encoders) or causal (decoders).
  public let bidirectional: Bool
  /// Kernel length limit; nil = the sequence length.
  public let truncation: Int?
  /// Mega applies silu to the output inside the module; SeqBoat returns the raw sum.
  public let outputSilu: Bool
  /// `[D', N, 1]`, σ(delta) is the paper's α.
  public let delta: Tensor
  /// `[D', N, 1]`, σ(alpha) is the paper's δ (damping).
  public let alpha: Tensor
  /// `[D', N, 1]`.
  public let beta: Tensor
  /// `[D', N]`.
  public let gamma: Tensor
  /// `[E]`.
  public let omega: Tensor
  /// How the convolution is computed when no state is carried.
  public var method = EMAMethod.scan
  /// With `.convolution`, kernels longer than this are applied by FFT, shorter ones by direct
  /// sums.
  public var fftThreshold = 64

  /// An EMA over `embedDim` channels. `truncatedInit` selects SeqBoat's truncated-normal init.
  public init(
    embedDim: Int, ndim: Int, bidirectional: Bool, truncation: Int?, outputSilu: Bool,
    truncatedInit: Bool = false, rng: inout SplitMix64
  ) {
    self.embedDim = embedDim
    self.ndim = ndim
    self.bidirectional = bidirectional
    self.truncation = truncation
    self.outputSilu = outputSilu
    let d = bidirectional ? 2 * embedDim : embedDim
    func rule(_ std: Float) -> Initializer {
      truncatedInit ? .truncatedNormal(std: std, bound: 2 * std) : .normal(std: std)
    }
    delta = rule(0.2).make([d, ndim, 1], rng: &rng)
    alpha = rule(0.2).make([d, ndim, 1], rng: &rng)
    beta = rule(0.02).make([d, ndim, 1], rng: &rng)
    for c in 0..<d { for n in 0..<ndim { beta.data[c * ndim + n] += n % 2 == 0 ? 1 : -1 } }
    gamma = rule(1).make([d, ndim], rng: &rng)
    omega = rule(1).make([embedDim], rng: &rng)
  }

  public var members: [ModuleMember] {
    [
      .parameter("delta", delta), .parameter("alpha", alpha), .parameter("beta", beta),
      .parameter("gamma", gamma), .parameter("omega", omega),
    ]
  }

  /// The EMA of `x` (`[L, B, E]`); `paddingMask` (`[B, L]`, true = padding) zeroes the convolution
  /// input at padding positions. Output `[L, B, E]`. With a `state` (causal, evaluation without
  /// gradients only; MODEL.md §2.6) `x` continues the sequence the state has seen: the kernel is
  /// untruncated, the state's decay is added and the state moves past `x`. Channels run on
  /// `parallelism`'s threads (the layer passes its context's).
  public func callAsFunction(
    _ x: Tensor, paddingMask: [Bool]? = nil, state: EMAState? = nil,
    parallelism: Parallelism = .current
  ) -> Tensor {
    precondition(x.rank == 3 && x.shape[2] == embedDim, "EMA input \(x.shape), E = \(embedDim)")
    let (len, batch, e) = (x.shape[0], x.shape[1], embedDim)
    precondition(paddingMask == nil || paddingMask!.count == batch * len, "EMA padding mask size")
    precondition(
      state == nil || (!bidirectional && !GradMode.isRecording),
      "an EMA state needs a causal EMA and no gradient recording")
    let k = state == nil ? min(truncation ?? len, len) : len
    let kernel = EMAKernel(self, length: k)
    let conv =
      state == nil && method == .scan
      ? scanned(x, paddingMask: paddingMask, kernel: kernel, parallelism)
      : convolved(x, paddingMask: paddingMask, kernel: kernel, state: state)
    let pre = Tensor.withData([x, omega]) { p in
      conv.y.withUnsafeBufferPointer { y in
        Tensor.uninitializedArray(x.count) {
          EMAResidual.forward(
            $0, y: y.baseAddress!, x: p[0], omega: p[1], rows: len * batch, e: e, parallelism)
        }
      }
    }
    let out =
      !outputSilu
      ? pre
      : pre.withUnsafeBufferPointer { pp in
        Tensor.uninitializedArray(pre.count) { Activation.silu.apply(pp, into: $0) }
      }
    let residual = EMAResidual(
      rows: len * batch, e: e, batch: batch, len: len, silu: outputSilu, paddingMask: paddingMask,
      parallelism: parallelism)
    let om = omega
    return .fused(shape: x.shape, data: out, parents: [x, delta, alpha, beta, gamma, omega]) {
      g, d in
      Tensor.withData([x, om]) { p in
        residual.backward(g, d, pre: pre, x: p[0], omega: p[1], convolution: conv.backward)
      }
    }
  }

  /// The convolution's output for `x` (time-major) and its backward: given the gradient of the
  /// output it adds the kernel parameters' gradients to `params` (those of `delta, alpha, beta,
  /// gamma`) and, when asked, returns the gradient of the masked input (time-major).
  typealias Convolution = (y: [Float], backward: EMAConvolutionBackward)

  /// The convolution by the recurrence, on time-major arrays throughout.
  private func scanned(
    _ x: Tensor, paddingMask: [Bool]?, kernel: EMAKernel, _ parallelism: Parallelism
  ) -> Convolution {
    let (len, batch, e) = (x.shape[0], x.shape[1], embedDim)
    let u =
      paddingMask == nil
      ? x.data
      : x.data.withUnsafeBufferPointer { xp in
        Tensor.uninitializedArray(x.count) { up in
          for r in 0..<(len * batch) {
            let pad = paddingMask![(r % batch) * len + r / batch]
            let (ur, xr) = (up + r * e, xp.baseAddress! + r * e)
            for c in 0..<e { ur[c] = pad ? 0 : xr[c] }
          }
        }
      }
    let scan = EMAScan(
      kernel: kernel, channels: e, ndim: ndim, seriesLength: len, batch: batch,
      parallelism: parallelism)
    return (
      scan.forward(u),
      { g, inputGradient, params in
        let (dCoef, dq) = scan.parameterGradients(u, g)
        kernel.backward(dCoef: dCoef, dq: dq, into: params)
        return inputGradient ? scan.transpose(g) : nil
      }
    )
  }

  /// The convolution by the kernel (direct sums or FFT) on channel-major series, the only way
  /// that carries an EMA state.
  private func convolved(_ x: Tensor, paddingMask: [Bool]?, kernel: EMAKernel, state: EMAState?)
    -> Convolution
  {
    let (len, batch, e) = (x.shape[0], x.shape[1], embedDim)
    let k = kernel.length
    // Masked input, channel-major [B, E, L] so that each time series is contiguous.
    let xt = x.data.withUnsafeBufferPointer { xp in
      Tensor.uninitializedArray(x.count) { xt in
        transposedPairs(len, batch, e) { i, j, _, b, t in
          xt[j] = paddingMask?[b * len + t] == true ? 0 : xp[i]
        }
      }
    }
    let conv = EMAConvolution(
      kernel: kernel.values, channels: e, length: k, seriesLength: len,
      bidirectional: bidirectional, useFFT: k > fftThreshold)
    let xSpectra = k > fftThreshold ? conv.spectra(xt) : nil
    var yt = conv.forward(xt, xSpectra: xSpectra)
    state?.advance(&yt, input: xt, ema: self, kernel: kernel, batch: batch, length: len)
    /// A channel-major array in time-major order, or back.
    func transposed(_ v: [Float], toTimeMajor: Bool) -> [Float] {
      v.withUnsafeBufferPointer { vp in
        Tensor.uninitializedArray(v.count) { out in
          transposedPairs(len, batch, e) { i, j, _, _, _ in
            if toTimeMajor { out[i] = vp[j] } else { out[j] = vp[i] }
          }
        }
      }
    }
    return (
      transposed(yt, toTimeMajor: true),
      { g, inputGradient, params in
        let gt = transposed(g, toTimeMajor: false)
        let gSpectra = xSpectra == nil ? nil : conv.spectra(gt)
        let dk = conv.kernelGradient(gt, xt, gSpectra: gSpectra, xSpectra: xSpectra)
        kernel.backward(dk, into: params)
        return inputGradient ? transposed(conv.transpose(gSpectra, gt), toTimeMajor: true) : nil
      }
    )
  }
}

/// Calls `body(i, j, c, b, t)` for every element of an `[L, B, E]` array: `i` is its time-major
/// index `(t·B + b)·E + c`, `j` its channel-major index `(b·E + c)·L + t`. Walks tiles of 16 time
/// steps so that both layouts are visited a cache line at a time (a plain loop over one layout
/// touches a new line of the other at every element).
@inline(__always)
private func transposedPairs(
  _ len: Int, _ batch: Int, _ e: Int, _ body: (Int, Int, Int, Int, Int) -> Void
) {
  let tile = 16
  for t0 in stride(from: 0, to: len, by: tile) {
    let t1 = min(t0 + tile, len)
    for b in 0..<batch {
      for c in 0..<e {
        let j0 = (b * e + c) * len
        for t in t0..<t1 { body((t * batch + b) * e + c, j0 + t, c, b, t) }
      }
    }
  }
}
