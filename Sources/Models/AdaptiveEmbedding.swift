import Layers
import Tensor

/// Adaptive input and tied adaptive softmax (MODEL.md §5.7): vocabulary bands split at `cutoffs`,
/// band i has an embedding `Emb_i [n_i, d_i]` (`d_i = E / factor^i`) and a projection
/// `W_i [E, d_i]`. Input: `W_i · Emb_i[token − start_i]`. Output: head logits
/// `[x·Emb_0ᵀ | x·Cᵀ]` over band 0 and one cluster per tail band, tail logits
/// `Emb_i · dropout(W_iᵀ x)`. Names (prefix `decoder.`): `embed_tokens.embeddings.{i}.{0,1}.weight`,
/// `adaptive_softmax.head.class_proj.weight`; the softmax's own names are ties.
public final class AdaptiveEmbedding: Module {
  /// Band boundaries `[0, c_1, …, V]`.
  public let bounds: [Int]
  /// `Emb_i`.
  public let tables: [Tensor]
  /// `W_i`.
  public let projections: [Tensor]
  /// `C [tails, E]`.
  public let classProjection: Tensor
  private let dropout: Dropout

  /// Bands for `vocabulary` rows at `cutoffs`, width `dim`, reduced by `factor` per band.
  public init(
    vocabulary: Int, dim: Int, cutoffs: [Int], factor: Int, dropout p: Float,
    rng: inout SplitMix64
  ) {
    bounds = [0] + cutoffs + [vocabulary]
    var tables: [Tensor] = []
    var projections: [Tensor] = []
    var d = dim
    for i in 0..<(bounds.count - 1) {
      let n = bounds[i + 1] - bounds[i]
      let table = Initializer.normal(std: 1 / Float(d).squareRoot()).make([n, d], rng: &rng)
      for j in 0..<d { table.data[d + j] = 0 }
      tables.append(table)
      projections.append(Initializer.xavierUniform.make([dim, d], rng: &rng))
      d /= factor
    }
    self.tables = tables
    self.projections = projections
    classProjection = Initializer.xavierUniform.make([cutoffs.count, dim], rng: &rng)
    dropout = Dropout(p, site: rng.next())
  }

  public var members: [ModuleMember] {
    tables.indices.flatMap { i -> [ModuleMember] in
      [
        .parameter("embed_tokens.embeddings.\(i).0.weight", tables[i]),
        .parameter("embed_tokens.embeddings.\(i).1.weight", projections[i]),
      ]
    } + [.parameter("adaptive_softmax.head.class_proj.weight", classProjection)]
  }

  /// The adaptive softmax's names of tied tensors under `prefix`, mapped to the parameter names.
  public func tiedNames(prefix: String) -> [String: String] {
    var ties = [
      "\(prefix).adaptive_softmax.head.word_proj.weight":
        "\(prefix).embed_tokens.embeddings.0.0.weight"
    ]
    for i in 1..<tables.count {
      ties["\(prefix).adaptive_softmax.tail.\(i - 1).0.weight"] =
        "\(prefix).embed_tokens.embeddings.\(i).1.weight"
      ties["\(prefix).adaptive_softmax.tail.\(i - 1).2.weight"] =
        "\(prefix).embed_tokens.embeddings.\(i).0.weight"
    }
    return ties
  }

  /// The band of token `t`.
  func band(_ t: Int) -> Int { (1..<bounds.count).first { t < bounds[$0] }! - 1 }

  /// Adaptive input of `ids` (valid ids), output `shape + [E]` (not yet scaled by √E).
  public func embed(_ ids: [Int], shape: [Int]) -> Tensor {
    let e = projections[0].shape[0]
    var parts: [(rows: [Int], value: Tensor)] = []
    for i in 0..<tables.count {
      let rows = ids.indices.filter { band(ids[$0]) == i }
      guard !rows.isEmpty else { continue }
      let local = rows.map { ids[$0] - bounds[i] }
      let v = tables[i].gatherRows(local, shape: [rows.count]).linear(projections[i])
      parts.append((rows, v))
    }
    return Tensor.scatterRows(parts, count: ids.count, width: e).reshaped(shape + [e])
  }

  /// Summed adaptive-softmax NLL of `targets` (padding id 1 ignored) for `features` `[..., E]`.
  /// Tail tokens whose relative index is 1 contribute only their cluster term (the reference's
  /// `ignore_index` quirk).
  public func loss(features: Tensor, targets: [Int], _ ctx: ForwardContext) -> Tensor {
    let e = classProjection.shape[1]
    let x = dropout(features.reshaped([targets.count, e]), .exampleMajor(virtualSize: nil), ctx)
    let headTargets = targets.map { t in t == 1 ? 1 : band(t) == 0 ? t : bounds[1] + band(t) - 1 }
    var total = x.linearCrossEntropySum(
      [tables[0], classProjection], targets: headTargets, ignoreIndex: 1)
    for i in 1..<tables.count {
      let rows = targets.indices.filter { targets[$0] != 1 && band(targets[$0]) == i }
      guard !rows.isEmpty else { continue }
      let perExample = targets.count / max(features.shape.first ?? 1, 1)
      let hidden = tailHidden(
        i, x.gatherRows(rows, shape: [rows.count]), .gatheredRows(rows, rowsPerExample: perExample),
        ctx)
      let rel = rows.map { targets[$0] - bounds[i] }
      total = total + hidden.linearCrossEntropySum([tables[i]], targets: rel, ignoreIndex: 1)
    }
    return total
  }

  /// Log-probabilities `[N, V]` of every token for `features` (`[N, E]` rows), no gradient, eval
  /// mode.
  public func logProbabilities(features: Tensor) -> [Float] {
    let ctx = ForwardContext.evaluation()
    return GradMode.withoutGrad {
      let e = classProjection.shape[1]
      let n = features.count / e
      let x = features.reshaped([n, e])
      let v = bounds.last!
      let head = Tensor.concat(lastDim: [x.linear(tables[0]), x.linear(classProjection)])
        .logSoftmax()
      let hw = head.lastDim
      var out = [Float](repeating: 0, count: n * v)
      for r in 0..<n { for j in 0..<bounds[1] { out[r * v + j] = head.data[r * hw + j] } }
      for i in 1..<tables.count {
        let lp = tailHidden(i, x, .exampleMajor(virtualSize: nil), ctx).linear(tables[i])
          .logSoftmax()
        let width = lp.lastDim
        for r in 0..<n {
          let cluster = head.data[r * hw + bounds[1] + i - 1]
          for j in 0..<width { out[r * v + bounds[i] + j] = cluster + lp.data[r * width + j] }
        }
      }
      return out
    }
  }

  /// The tail's hidden rows `dropout(W_iᵀ x)` (`[n, d_i]`) of band i for rows `x` (`[n, E]`).
  private func tailHidden(_ i: Int, _ x: Tensor, _ layout: DropoutLayout, _ ctx: ForwardContext)
    -> Tensor
  {
    dropout(x.matmul(projections[i]), layout, ctx)
  }
}

extension Tensor {
  /// Rows of several `[n_k, width]` tensors placed at row indices `rows_k` of a `[count, width]`
  /// result (zero elsewhere); the backward gathers the gradient rows back.
  static func scatterRows(_ parts: [(rows: [Int], value: Tensor)], count: Int, width: Int)
    -> Tensor
  {
    var y = [Float](repeating: 0, count: count * width)
    for (rows, v) in parts {
      for (k, r) in rows.enumerated() {
        for c in 0..<width { y[r * width + c] = v.data[k * width + c] }
      }
    }
    return .op(shape: [count, width], data: y, parents: parts.map(\.value)) { out in
      let g = out.grad!
      for (rows, v) in parts {
        v.accumulateGrad { d in
          for (k, r) in rows.enumerated() {
            for c in 0..<width { d[k * width + c] += g[r * width + c] }
          }
        }
      }
    }
  }
}
