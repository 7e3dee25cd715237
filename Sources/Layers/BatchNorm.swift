import Tensor

#if canImport(Glibc)
  import Glibc
#endif

/// Batch normalisation of `[..., E]` activations per channel (the last dimension), statistics over
/// every other position (MODEL.md §3.7: all L·B positions, padding included), with PyTorch's running
/// statistics. Names `weight`, `bias` (absent without affine), buffers `running_mean`, `running_var`,
/// `num_batches_tracked`. With a multi-rank `collective` it is synchronised batch norm.
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
  /// Train mode: batch statistics and a running-statistics update; eval mode: running statistics.
  public var training = false
  /// Where cross-rank sums go (identity in one process).
  public var collective: Collective
  /// Added to the variance.
  public let eps: Float
  /// Weight of the new batch statistic in the running update.
  public let momentum: Double = 0.1

  /// A batch norm over `dim` channels.
  public init(dim: Int, affine: Bool, eps: Float = 1e-5, collective: Collective = SingleProcess()) {
    weight =
      affine ? Tensor(shape: [dim], data: .init(repeating: 1, count: dim), requiresGrad: true) : nil
    bias = affine ? Tensor.zeros([dim], requiresGrad: true) : nil
    runningMean = .zeros([dim])
    runningVar = .full([dim], 1)
    numBatchesTracked = .zeros([])
    self.eps = eps
    self.collective = collective
  }

  public var parameters: [(name: String, tensor: Tensor)] {
    guard let weight, let bias else { return [] }
    return [("weight", weight), ("bias", bias)]
  }

  public var buffers: [(name: String, tensor: Tensor)] {
    [
      ("running_mean", runningMean), ("running_var", runningVar),
      ("num_batches_tracked", numBatchesTracked),
    ]
  }

  /// Normalises `x` (`[..., E]`).
  public func callAsFunction(_ x: Tensor) -> Tensor {
    let e = x.lastDim
    let rows = x.count / max(e, 1)
    var mean = [Float](repeating: 0, count: e)
    var rstd = [Float](repeating: 0, count: e)
    var total = Double(rows)
    if training {
      var sums = [Double](repeating: 0, count: 2 * e + 1)
      sums[2 * e] = Double(rows)
      for r in 0..<rows {
        for c in 0..<e {
          let v = Double(x.data[r * e + c])
          sums[c] += v
          sums[e + c] += v * v
        }
      }
      BatchNorm.reduce(&sums, collective)
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
    var xhat = [Float](repeating: 0, count: x.count)
    var y = [Float](repeating: 0, count: x.count)
    for i in 0..<x.count {
      let c = i % e
      let h = (x.data[i] - mean[c]) * rstd[c]
      xhat[i] = h
      y[i] = weight.map { h * $0.data[c] + bias!.data[c] } ?? h
    }
    let (w, b, train, coll) = (weight, bias, training, collective)
    let parents = [x] + [w, b].compactMap { $0 }
    return .op(shape: x.shape, data: y, parents: parents) { out in
      let g = out.grad!
      x.accumulateGrad { dx in
        var sums = [Double](repeating: 0, count: 2 * e)
        if train {
          for i in 0..<g.count {
            let d = Double(g[i] * (w?.data[i % e] ?? 1))
            sums[i % e] += d
            sums[e + i % e] += d * Double(xhat[i])
          }
          BatchNorm.reduce(&sums, coll)
        }
        for i in 0..<g.count {
          let c = i % e
          let d = g[i] * (w?.data[c] ?? 1)
          let m1 = Float(sums[c] / total)
          let m2 = Float(sums[e + c] / total)
          dx[i] += rstd[c] * (d - m1 - xhat[i] * m2)
        }
      }
      w?.accumulateGrad { dw in
        for i in 0..<g.count { dw[i % e] += g[i] * xhat[i] }
      }
      b?.accumulateGrad { db in
        for i in 0..<g.count { db[i % e] += g[i] }
      }
    }
  }

  /// Sums `values` over the ranks; a failed reduction ends the process with one line (a rank that
  /// cannot reach the others cannot continue, and the launcher then stops the job).
  private static func reduce(_ values: inout [Double], _ collective: Collective) {
    do {
      try collective.allReduceSum(&values)
    } catch {
      fputs("seqboat: synchronised batch norm: all-reduce failed: \(error)\n", stderr)
      exit(1)
    }
  }
}
