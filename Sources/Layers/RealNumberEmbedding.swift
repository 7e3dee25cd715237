import Tensor

/// Embedding of real-valued inputs (pixels, audio samples): `y[..., :] = value·weight + bias`
/// (names `weight [E]`, `bias [E]`).
public final class RealNumberEmbedding: Module {
  /// `[E]`.
  public let weight: Tensor
  /// `[E]`.
  public let bias: Tensor

  /// An embedding of width `dim`: weight N(0, 1), bias N(0, 0.1²) (MODEL.md §5.2).
  public init(dim: Int, rng: inout SplitMix64) {
    weight = Initializer.normal(std: 1).make([dim], rng: &rng)
    bias = Initializer.normal(std: 0.1).make([dim], rng: &rng)
  }

  public var members: [ModuleMember] { [.parameter("weight", weight), .parameter("bias", bias)] }

  /// Embeds every element of `x`: output `x.shape + [E]`.
  public func callAsFunction(_ x: Tensor) -> Tensor {
    let e = weight.count
    let n = x.count
    var y = [Float](repeating: 0, count: n * e)
    for i in 0..<n {
      let v = x.data[i]
      for j in 0..<e { y[i * e + j] = v * weight.data[j] + bias.data[j] }
    }
    let (w, b) = (weight, bias)
    return .op(shape: x.shape + [e], data: y, parents: [x, w, b]) { out in
      let g = out.grad!
      x.accumulateGrad { d in
        for i in 0..<n {
          var s: Float = 0
          for j in 0..<e { s += g[i * e + j] * w.data[j] }
          d[i] += s
        }
      }
      w.accumulateGrad { d in
        for i in 0..<n { for j in 0..<e { d[j] += g[i * e + j] * x.data[i] } }
      }
      b.accumulateGrad { d in
        for i in 0..<n { for j in 0..<e { d[j] += g[i * e + j] } }
      }
    }
  }
}
