import Models
import Pickle
import Tensor

/// fairseq's `model` state dict onto a seqboat model of the same configuration: names are the
/// same; a tied weight appears under each of its names (all must hold the same values);
/// `*.version` and `*._float_tensor` buffers, which carry no model values, are the only names a
/// seqboat model may lack.
enum FairseqParameters {
  /// The adaptive band `i` of `decoder.embed_tokens.embeddings.i.0.weight`.
  static func band(of name: String) -> Int? {
    let prefix = "decoder.embed_tokens.embeddings."
    guard name.hasPrefix(prefix), name.hasSuffix(".0.weight") else { return nil }
    return Int(name.dropFirst(prefix.count).dropLast(".0.weight".count))
  }

  /// Whether `name` holds one row per token (nil) or per token of an adaptive band (the band);
  /// false when it has no token rows.
  static func tokenRows(_ name: String) -> (Bool, band: Int?) {
    if let band = band(of: name) { return (true, band) }
    let full =
      name == "decoder.embed_tokens.weight" || name == "decoder.output_projection.weight"
      || name.hasSuffix("embed_tokens.embed.weight")
    return (full, nil)
  }

  /// A buffer of the reference that carries no values for the model.
  static func isPlaceholder(_ name: String) -> Bool {
    name.hasSuffix(".version") || name.hasSuffix("._float_tensor")
  }

  /// `values` (fairseq shape) with token rows in seqboat's order.
  static func translated(
    _ name: String, shape: [Int], values: [Float], map: FairseqTokenMap?
  ) -> (shape: [Int], data: [Float]) {
    reordered(name, shape: shape, values: values, map: map, back: false)
  }

  /// `values` (seqboat shape) with token rows in fairseq's order.
  static func restored(
    _ name: String, shape: [Int], values: [Float], map: FairseqTokenMap?
  ) -> (shape: [Int], data: [Float]) {
    reordered(name, shape: shape, values: values, map: map, back: true)
  }

  private static func reordered(
    _ name: String, shape: [Int], values: [Float], map: FairseqTokenMap?, back: Bool
  ) -> (shape: [Int], data: [Float]) {
    let (rows, band) = tokenRows(name)
    guard let map, rows, let first = shape.first, first > 0 else { return (shape, values) }
    let width = values.count / first
    let data = map.reorder(values, width: width, band: band, back: back)
    return ([data.count / max(width, 1)] + shape.dropFirst(), data)
  }

  /// Parameter names in the order of the reference's `model.parameters()`: torch lists a
  /// module's own parameters before those of its children, children in registration order
  /// (seqboat's order of first appearance); the language model's adaptive softmax, which the
  /// reference registers after the layers and the final norm, comes last.
  static func referenceOrder(_ names: [String]) -> [String] {
    let late = { (name: String) in name.hasPrefix("decoder.adaptive_softmax.") }
    return moduleOrder(names.filter { !late($0) }) + moduleOrder(names.filter(late))
  }

  /// `names` (relative to one module) with the module's own entries first, then each child's,
  /// recursively.
  private static func moduleOrder(_ names: [String]) -> [String] {
    var own: [String] = []
    var children: [(child: Substring, names: [String])] = []
    for name in names {
      guard let dot = name.firstIndex(of: ".") else {
        own.append(name)
        continue
      }
      let child = name[..<dot]
      let rest = String(name[name.index(after: dot)...])
      if let i = children.firstIndex(where: { $0.child == child }) {
        children[i].names.append(rest)
      } else {
        children.append((child, [rest]))
      }
    }
    return own + children.flatMap { c in moduleOrder(c.names).map { "\(c.child).\($0)" } }
  }

  /// The state of `model` from `tensors`; throws naming the first missing, misshapen, untied or
  /// unknown entry.
  static func load(
    _ tensors: [(name: String, tensor: TorchTensor)], into model: Model, map: FairseqTokenMap?
  ) throws -> [String: (shape: [Int], data: [Float])] {
    let byName = Dictionary(tensors.map { ($0.name, $0.tensor) }) { a, _ in a }
    var out: [String: (shape: [Int], data: [Float])] = [:]
    for (name, t) in model.stateDict {
      guard let source = byName[name] else {
        throw TorchFileError("model.\(name) is missing from the checkpoint")
      }
      let floats =
        source.storage.dtype.isFloatingPoint
        ? try source.floats() : source.values().map { Float($0) }
      let value = translated(name, shape: source.shape, values: floats, map: map)
      guard value.shape == t.shape else {
        throw TorchFileError(
          "model.\(name) has shape \(source.shape); a model of these args has \(t.shape)")
      }
      out[name] = value
    }
    let aliases = model.tiedNames
    for (alias, target) in aliases.sorted(by: { $0.key < $1.key }) {
      guard let a = byName[alias], let b = byName[target] else { continue }
      guard a.shape == b.shape, try a.floats() == b.floats() else {
        throw TorchFileError("model.\(alias) differs from model.\(target), to which it is tied")
      }
    }
    let known = Set(out.keys).union(aliases.keys)
    if let unknown = tensors.first(where: { !known.contains($0.name) && !isPlaceholder($0.name) }) {
      throw TorchFileError("model.\(unknown.name): a model of these args has no such entry")
    }
    return out
  }
}
