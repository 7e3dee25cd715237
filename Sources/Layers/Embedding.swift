import Tensor

/// A token embedding table (name `weight [V, E]`). The row `paddingIndex`, if any, receives no
/// gradient, as PyTorch's `padding_idx`.
public final class Embedding: Module {
  /// `[V, E]`.
  public let weight: Tensor
  /// Row that the lookup never sends a gradient to.
  public let paddingIndex: Int?

  /// A table of `count` rows of width `dim`, drawn by `initializer`; `zeroPaddingRow` zeroes the
  /// padding row (LM embeddings) instead of leaving it random (LRA embeddings).
  public init(
    count: Int, dim: Int, paddingIndex: Int?, initializer: Initializer, zeroPaddingRow: Bool,
    rng: inout SplitMix64
  ) {
    weight = initializer.make([count, dim], rng: &rng)
    self.paddingIndex = paddingIndex
    if zeroPaddingRow, let p = paddingIndex {
      for j in 0..<dim { weight.data[p * dim + j] = 0 }
    }
  }

  public var members: [ModuleMember] { [.parameter("weight", weight)] }

  /// The rows of `tokens` (any layout; `shape` is their shape), output `shape + [E]`.
  public func callAsFunction(_ tokens: [Int], shape: [Int]) -> Tensor {
    let e = weight.shape[1]
    let v = weight.shape[0]
    var y = [Float](repeating: 0, count: tokens.count * e)
    for (i, row) in tokens.enumerated() {
      precondition(row >= 0 && row < v, "token \(row) outside the table of \(v) rows")
      for j in 0..<e { y[i * e + j] = weight.data[row * e + j] }
    }
    let table = weight
    let skip = paddingIndex ?? -1
    return .op(shape: shape + [e], data: y, parents: [table]) { out in
      let g = out.grad!
      table.accumulateGrad { d in
        for (i, row) in tokens.enumerated() where row != skip {
          for j in 0..<e { d[row * e + j] += g[i * e + j] }
        }
      }
    }
  }
}
