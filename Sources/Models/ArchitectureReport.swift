import Layers
import Tensor

/// The text of `seqboat inspect --arch NAME`: the preset's main settings, every parameter with
/// its shape, and the totals (tied weights counted once). The model is built from the same module
/// declarations as for training but shape-only (no values drawn, no storage made resident), unless
/// `allocated`.
public func architectureReport(_ name: String, allocated: Bool = false) throws -> String {
  let config = try ModelConfig.preset(name)
  let params = makeModel(config, shapesOnly: !allocated).parameters
  let total = params.reduce(0) { $0 + $1.tensor.count }
  let embedding = params.filter { $0.name.contains("embed_tokens") }.reduce(0) {
    $0 + $1.tensor.count
  }
  let nameWidth = params.map(\.name.count).max() ?? 0
  var lines = [
    "arch \(name): \(config.family.rawValue) \(config.task.rawValue), \(config.layers) layers, "
      + "E \(config.embedDim), H \(config.hiddenDim), F \(config.ffnDim), Z \(config.zDim), "
      + "N \(config.nDim), chunk \(config.chunkSize), vocabulary \(config.vocabSize)",
    "parameters \(total) (embedding \(embedding), non-embedding \(total - embedding))",
  ]
  for (n, t) in params {
    let pad = String(repeating: " ", count: nameWidth - n.count)
    lines.append("  \(n)\(pad)  \(t.shape)  \(t.count)")
  }
  return lines.joined(separator: "\n")
}
