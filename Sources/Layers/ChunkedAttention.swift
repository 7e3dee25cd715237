import Tensor

#if canImport(Glibc)
  import Glibc
#endif

/// Mega's attention functions (MODEL.md §3.4), by reference name.
public enum AttentionFunction: String, Sendable, CaseIterable {
  case softmax, relu2, laplace
}

/// Mega's chunked attention core as one fused op (MODEL.md §3.3–3.4): per chunk of `chunk` rows,
/// scores `s_i·q_i·k_j + bias[i, j]`, key-padding and causal masks, the attention function, and
/// `P·V`. Each chunk's score matrix is built once, activated in place and kept for backward.
/// The math is `forward` and `backward` (`ChunkedAttentionKernels.swift`) over flat buffers.
public enum ChunkedAttention {
  /// The output `[L, B, H]` (differentiable in `q`, `k`, `v`, `bias`) and the attention weights
  /// `[B, L/C, C, C]` (constant). `q`, `k`: `[L, B, Z]`; `v`: `[L, B, H]` (time-major, read in
  /// place through the BLAS leading dimensions); `bias`: `[C, C]`;
  /// `paddingMask`: `[B, L]`, true = padding; `chunk` divides L. `dropout`, if given, is the
  /// attention-dropout mask over the weights' elements, applied to P before `P·V`. Blocks run on
  /// `parallelism`'s threads (the layer passes its context's).
  public static func apply(
    q: Tensor, k: Tensor, v: Tensor, bias: Tensor?, chunk c: Int, function: AttentionFunction,
    paddingMask: [Bool]?, causal: Bool, dropout: DropoutDraw? = nil,
    parallelism: Parallelism = .current
  ) -> (output: Tensor, weights: Tensor) {
    let (len, batch, z) = (q.shape[0], q.shape[1], q.shape[2])
    precondition(len % c == 0, "attention: L = \(len) is not a multiple of the chunk \(c)")
    precondition(k.shape == q.shape && v.shape[0] == len && v.shape[1] == batch, "attention shapes")
    precondition(
      bias == nil || bias!.shape == [c, c], "attention bias \(bias!.shape) for chunk \(c)")
    precondition(paddingMask == nil || paddingMask!.count == batch * len, "attention padding mask")
    let s = Shape(
      len: len, batch: batch, z: z, h: v.shape[2], c: c, function: function, causal: causal,
      padded: paddingMask != nil, parallelism: parallelism)
    let saved = Saved(s)
    let parents = [q, k, v] + (bias.map { [$0] } ?? [])
    let mask = paddingMask ?? []
    var p = Tensor.zeroArray(s.blocks * c * c)
    let out = Tensor.withData([q, k, v, bias ?? Tensor.zeros([c, c])]) { x in
      Tensor.uninitializedArray(len * batch * s.h) { out in
        mask.withUnsafeBufferPointer { m in
          p.withUnsafeMutableBufferPointer { p in
            forward(
              out, p.baseAddress!, saved, q: x[0], k: x[1], v: x[2], bias: x[3], padding: m,
              dropout, s)
          }
        }
      }
    }
    let weights = Tensor(shape: [batch, len / c, c, c], data: p)
    let output = Tensor.fused(shape: [len, batch, s.h], data: out, parents: parents) { g, d in
      Tensor.withData([q, k, v, weights]) { x in
        let dbias = d.count > 3 ? d[3] : nil
        backward(d[0], d[1], d[2], dbias, g, q: x[0], k: x[1], v: x[2], p: x[3], saved, dropout, s)
      }
    }
    return (output, weights)
  }

  /// Sizes of one call: L, B, Z, H, the chunk C, the function, causality and whether keys are
  /// padding-masked.
  struct Shape {
    let len, batch, z, h, c: Int
    let function: AttentionFunction
    let causal, padded: Bool
    /// Threads that run blocks at once.
    let parallelism: Parallelism
    /// Chunks per sequence.
    var chunks: Int { len / c }
    /// Blocks (sequence, chunk): the units of work.
    var blocks: Int { batch * chunks }
    /// First row of block `blk` (sequence b, chunk i) in the [L·B] row order; rows step by B.
    func row(_ blk: Int) -> Int { (blk % chunks) * c * batch + blk / chunks }
  }

  /// What backward reads besides the inputs and the weights: f'(S) (laplace only,
  /// `[blocks, C, C]`) and every query's row scale s_i `[blocks, C]`.
  final class Saved {
    let slopes: UnsafeMutableBufferPointer<Float>?
    let scales: UnsafeMutableBufferPointer<Float>

    init(_ s: Shape) {
      let cc = s.c * s.c
      slopes = s.function == .laplace ? .allocate(capacity: s.blocks * cc) : nil
      scales = .allocate(capacity: s.blocks * s.c)
    }

    deinit {
      slopes?.deallocate()
      scales.deallocate()
    }
  }
}
