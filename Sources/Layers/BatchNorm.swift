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
  /// synchronised), running statistics in eval mode.
  public func callAsFunction(_ x: Tensor, _ ctx: ForwardContext) throws -> Tensor {
    let e = x.lastDim
    let rows = x.count / max(e, 1)
    let xs = x.data
    var mean = [Float](repeating: 0, count: e)
    var rstd = [Float](repeating: 0, count: e)
    var total = Double(rows)
    let train = ctx.training
    if train {
      var sums = [Double](repeating: 0, count: 2 * e + 1)
      BatchNorm.channelSums(xs, nil, rows, e, into: &sums, at: 0)
      BatchNorm.channelSums(xs, xs, rows, e, into: &sums, at: e)
      sums[2 * e] = Double(rows)
      if synchronised { try ctx.allReduceSum(&sums, operation: BatchNorm.operation) }
      total = sums[2 * e]
      for c in 0..<e {
        let m = sums[c] / total
        let v = max(sums[e + c] / total - m * m, 0)
        mean[c] = Float(m)
        rstd[c] = Float(1 / (v + Double(eps)).squareRoot())
        let unbiased = total > 1 ? v * total / (total - 1) : v
        runningMean.data[c] = Float((1 - momentum) * Double(runningMean.data[c]) + momentum * m)
        runningVar.data[c] = Float(
          (1 - momentum) * Double(runningVar.data[c]) + momentum * unbiased)
      }
      numBatchesTracked.data[0] += 1
    } else {
      for c in 0..<e {
        mean[c] = runningMean.data[c]
        rstd[c] = Float(1 / (Double(runningVar.data[c]) + Double(eps)).squareRoot())
      }
    }
    let scale = weight?.data ?? [Float](repeating: 1, count: e)
    let shift = bias?.data ?? [Float](repeating: 0, count: e)
    var y = [Float](repeating: 0, count: x.count)
    let xhat = Tensor.uninitializedArray(x.count) { h in
      BatchNorm.withChannelVectors(mean, rstd, scale, shift) { m, s, w, b in
        xs.withUnsafeBufferPointer { xp in
          y.withUnsafeMutableBufferPointer { yp in
            for r in 0..<rows {
              let (xr, hr, yr) = (xp.baseAddress! + r * e, h + r * e, yp.baseAddress! + r * e)
              for c in 0..<e {
                hr[c] = (xr[c] - m[c]) * s[c]
                yr[c] = hr[c] * w[c] + b[c]
              }
            }
          }
        }
      }
    }
    let (w, b, sync) = (weight, bias, synchronised)
    let parents = [x] + [w, b].compactMap { $0 }
    return .op(shape: x.shape, data: y, parents: parents) { out in
      let g = out.grad!
      // Per channel Σg (the bias gradient) and Σg·x̂ (the weight gradient), in double.
      var sums = [Double](repeating: 0, count: 2 * e)
      BatchNorm.channelSums(g, nil, rows, e, into: &sums, at: 0)
      BatchNorm.channelSums(g, xhat, rows, e, into: &sums, at: e)
      w?.accumulateGrad { dw in for c in 0..<e { dw[c] += Float(sums[e + c]) } }
      b?.accumulateGrad { db in for c in 0..<e { db[c] += Float(sums[c]) } }
      x.accumulateGrad { dx in
        // Train mode: dx = rstd·(d − mean(d) − x̂·mean(d·x̂)) with d = g·weight, the means over
        // every rank's rows; eval mode: dx = rstd·d.
        var moments = [Double](repeating: 0, count: 2 * e)
        if train {
          for c in 0..<(2 * e) { moments[c] = sums[c] * Double(scale[c % e]) }
          if sync { ctx.allReduceSumInBackward(&moments, operation: BatchNorm.operation) }
        }
        let m1 = (0..<e).map { Float(moments[$0] / total) }
        let m2 = (0..<e).map { Float(moments[e + $0] / total) }
        BatchNorm.withChannelVectors(rstd, scale, m1, m2) { s, w, a, b in
          g.withUnsafeBufferPointer { gp in
            xhat.withUnsafeBufferPointer { hp in
              for r in 0..<rows {
                let (gr, hr, dr) = (
                  gp.baseAddress! + r * e, hp.baseAddress! + r * e, dx.baseAddress! + r * e
                )
                for c in 0..<e { dr[c] += s[c] * (gr[c] * w[c] - a[c] - hr[c] * b[c]) }
              }
            }
          }
        }
      }
    }
  }

  /// Runs `body` with pointers to four per-channel vectors of one length, held in one buffer.
  private static func withChannelVectors(
    _ a: [Float], _ b: [Float], _ c: [Float], _ d: [Float],
    _ body: (
      UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>
    ) -> Void
  ) {
    let e = a.count
    (a + b + c + d).withUnsafeBufferPointer { p in
      let base = p.baseAddress!
      body(base, base + e, base + 2 * e, base + 3 * e)
    }
  }

  /// `sums[offset + c] += Σ_r a[r, c]·b[r, c]` (b = 1 when nil) over `rows` rows of `e` channels.
  private static func channelSums(
    _ a: [Float], _ b: [Float]?, _ rows: Int, _ e: Int, into sums: inout [Double], at offset: Int
  ) {
    let ones = [Float](repeating: 1, count: b == nil ? e : 0)
    a.withUnsafeBufferPointer { ap in
      (b ?? ones).withUnsafeBufferPointer { bp in
        sums.withUnsafeMutableBufferPointer { sp in
          let acc = sp.baseAddress! + offset
          for r in 0..<rows {
            let (ar, br) = (ap.baseAddress! + r * e, bp.baseAddress! + (b == nil ? 0 : r * e))
            for c in 0..<e { acc[c] += Double(ar[c]) * Double(br[c]) }
          }
        }
      }
    }
  }

  private static let operation = "synchronised batch norm statistics"
}
