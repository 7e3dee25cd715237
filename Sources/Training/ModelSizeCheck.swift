import Foundation
import Models

/// A model whose weights, gradients and Adam moments (16 bytes per parameter) would not fit in this
/// machine's memory is refused before it is built: an allocation that large traps, and one just
/// below it swaps for minutes. The count is a generous estimate from the sizes alone (every layer
/// with its projections, EMA, FFN and relative positions; embeddings, positions, classifier), so
/// it never needs the model itself.
enum ModelSizeCheck {
  /// The sizes a command line can make large, by the reference's argument name.
  static let sizes: [(key: String, lmKey: String, path: WritableKeyPath<ModelConfig, Int>)] = [
    ("encoder_layers", "decoder_layers", \.layers), ("embed_dim", "embed_dim", \.embedDim),
    ("hidden_dim", "hidden_dim", \.hiddenDim),
    ("encoder_ffn_embed_dim", "decoder_ffn_embed_dim", \.ffnDim), ("z_dim", "z_dim", \.zDim),
    ("n_dim", "n_dim", \.nDim), ("chunk_size", "chunk_size", \.chunkSize),
    ("max_positions", "max_positions", \.maxPositions), ("vocab_size", "vocab_size", \.vocabSize),
    ("classifier_out_dim", "classifier_out_dim", \.classifierOutDim),
    ("classifier_layers", "classifier_layers", \.classifierLayers),
    ("sentence_class_num", "sentence_class_num", \.classes),
  ]

  /// An upper estimate of the parameter count of `c`, in floating point (never overflows).
  static func parameters(_ c: ModelConfig) -> Double {
    let (e, h, z, n) = (Double(c.embedDim), Double(c.hiddenDim), Double(c.zDim), Double(c.nDim))
    let f = Double(max(c.ffnDim, 0))
    let p = Double(max(c.maxPositions, c.chunkSize, 1))
    let layer = 3 * e * h + e * z + 2 * e * e + 4 * e * n + 2 * e * f + 2 * p
    let d = Double(max(c.classifierOutDim, 0))
    let head = Double(max(c.classifierLayers, 0)) * d * d + d * (e + Double(max(c.classes, 0)))
    return Double(c.layers) * layer + (Double(c.vocabSize) + p) * e + head
  }

  /// Throws when `c` needs more than `memory` bytes, naming the size whose preset value would
  /// shrink the model most.
  static func check(_ c: ModelConfig, memory: Double) throws {
    let bytes = 16 * parameters(c)
    guard bytes > memory, let preset = try? ModelConfig.preset(c.arch) else { return }
    let lm = c.task == .lm
    let culprit = sizes.min { a, b in
      var x = c
      var y = c
      x[keyPath: a.path] = preset[keyPath: a.path]
      y[keyPath: b.path] = preset[keyPath: b.path]
      return parameters(x) < parameters(y)
    }!
    let key = lm ? culprit.lmKey : culprit.key
    let gb = { (b: Double) in String(format: "%.3g GB", b / 1e9) }
    throw TrainingError(
      "\(ReferenceArgumentFlag.flag(for: key, languageModel: lm)) \(c[keyPath: culprit.path]): "
        + "the model would need about \(gb(bytes)) for its weights, gradients and Adam moments, "
        + "more than this machine's \(gb(memory))")
  }
}
