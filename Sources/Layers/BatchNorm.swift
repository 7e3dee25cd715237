import Tensor

/// Batch normalisation of `[..., E]` activations per channel (the last dimension), statistics over
/// every other position (MODEL.md §3.7: all L·B positions, padding included), with PyTorch's running
/// statistics. Names `weight`, `bias` (absent without affine), buffers `running_mean`, `running_var`,
/// `num_batches_tracked`. Synchronised batch norm takes its sums over the ranks of the forward
/// context (`ForwardContext.allReduceSum`).
public final class BatchNorm: Module {
  /// `[E]` scale, nil without affine.
  public let weight: Tensor?
  /// `[E]` offset, nil without affine.
  public let bias: Tensor?
  /// `[E]` running mean (starts at 0).
  public let runningMean: Tensor
  /// `[E]` running variance, unbiased (starts at 1).
  public let runningVar: Tensor
  /// Number of training batches seen (a one-element tensor holding an integer).
  public let numBatchesTracked: Tensor
  /// Whether the batch statistics are summed over the ranks of a training pass (syncbatchnorm).
  public let synchronised: Bool
  /// Added to the variance.
  public let eps: Float
  /// Weight of the new batch statistic in the running update.
  public let momentum: Double = 0.1

  /// A batch norm over `dim` channels.
  public init(dim: Int, affine: Bool, eps: Float = 1e-5, synchronised: Bool = false) {
    weight =
      affine ? Tensor(shape: [dim], data: .init(repeating: 1, count: dim), requiresGrad: true) : nil
    bias = affine ? Tensor.zeros([dim], requiresGrad: true) : nil
    runningMean = .zeros([dim])
    runningVar = .full([dim], 1)
    numBatchesTracked = .zeros([])
    self.eps = eps
    self.synchronised = synchronised
  }

  public var members: [ModuleMember] {
    .parameter("weight", weight) + .parameter("bias", bias) + [
      .buffer("running_mean", runningMean), .buffer("running_var", runningVar),
      .buffer("num_batches_tracked", numBatchesTracked),
    ]
  }

  /// Normalises `x` (`[..., E]`): batch statistics in train mode (over every rank of `ctx` when
  /// synchronised), running statistics in eval mode. The math is `BatchNormKernels`.
  public func callAsFunction(_ x: Tensor, _ ctx: ForwardContext) throws -> Tensor {
    let e = x.lastDim
    let rows = x.count / max(e, 1)
    let saved = BatchNormKernels.Saved(rows: rows, e: e)
    let mean = FloatBuffer(zeros: e)
    let train = ctx.training
    if train {
      var sums = Tensor.withData([x]) { BatchNormKernels.statistics($0[0], rows: rows, e: e) }
      if synchronised { try ctx.allReduceSum(&sums, operation: BatchNorm.operation) }
      saved.total = sums[2 * e]
      for c in 0..<e {
        let m = sums[c] / saved.total
        let v = max(sums[e + c] / saved.total - m * m, 0)
        mean.base[c] = Float(m)
        saved.rstd.base[c] = Float(1 / (v + Double(eps)).squareRoot())
        let unbiased = saved.total > 1 ? v * saved.total / (saved.total - 1) : v
        runningMean.data[c] = Float((1 - momentum) * Double(runningMean.data[c]) + momentum * m)
        runningVar.data[c] = Float(
          (1 - momentum) * Double(runningVar.data[c]) + momentum * unbiased)
      }
      numBatchesTracked.data[0] += 1
    } else {
      for c in 0..<e {
        mean.base[c] = runningMean.data[c]
        saved.rstd.base[c] = Float(1 / (Double(runningVar.data[c]) + Double(eps)).squareRoot())
      }
    }
    let scale = weight ?? Tensor.full([e], 1)
    let shift = bias ?? Tensor.zeros([e])
    let y = Tensor.withData([x, scale, shift]) { p in
      Tensor.uninitializedArray(x.count) { y in
        BatchNormKernels.forward(
          y, saved, x: p[0], mean: mean.base, weight: p[1], bias: p[2], rows: rows, e: e)
      }
    }
    let sync = synchronised
    let affine = [weight, bias].compactMap { $0 }
    return .fused(shape: x.shape, data: y, parents: [x] + affine) { g, d in
      let sums = BatchNormKernels.gradientSums(g, saved, rows: rows, e: e)
      BatchNormKernels.addParameterGradients(
        d.count > 1 ? d[1] : nil, d.count > 2 ? d[2] : nil, sums: sums)
      guard let dx = d[0] else { return }
      scale.data.withUnsafeBufferPointer { w in
        // Train mode: the means of d = g·weight and d·x̂ over every rank's rows.
        var moments = [Double](repeating: 0, count: 2 * e)
        if train {
          for c in 0..<(2 * e) { moments[c] = sums[c] * Double(w[c % e]) }
          if sync { ctx.allReduceSumInBackward(&moments, operation: BatchNorm.operation) }
        }
        BatchNormKernels.backward(
          dx, g, saved, weight: w.baseAddress!, moments: moments, rows: rows, e: e)
      }
    }
  }

  private static let operation = "synchronised batch norm statistics"
}
