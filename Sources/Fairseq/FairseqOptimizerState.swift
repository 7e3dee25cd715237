import Models
import Optim
import Pickle
import Tensor

/// fairseq's Adam state (`last_optimizer_state`: per-parameter `step`, `exp_avg`, `exp_avg_sq`
/// keyed by the index in `model.parameters()`, where a tied parameter counts once) as seqboat's
/// moments by parameter name.
enum FairseqOptimizerState {
  /// The moments, or none (with a note) when the checkpoint has no Adam state.
  static func moments(
    _ top: PickleDict, tensors: [(name: String, tensor: TorchTensor)], model: Model,
    file: TorchFile, map: FairseqTokenMap?, notes: inout [String]
  ) throws -> [String: MomentState] {
    guard let state = top["last_optimizer_state"]?.dict else {
      notes.append("no last_optimizer_state: training starts from fresh moments")
      return [:]
    }
    let optimizer = top["optimizer_history"]?.items?.last?.dict?["optimizer_name"]?.string
    guard optimizer == "FairseqAdam" else {
      notes.append("optimizer \(optimizer ?? "unnamed"): only FairseqAdam's state is carried")
      return [:]
    }
    guard let perParameter = state["state"]?.dict, let groups = state["param_groups"]?.items else {
      throw TorchFileError("last_optimizer_state lacks 'state' or 'param_groups'")
    }
    let parameters = Dictionary(model.parameters.map { ($0.name, $0.tensor) }) { a, _ in a }
    let aliases = model.tiedNames
    var order: [String] = []
    for (name, _) in tensors {
      let canonical = aliases[name] ?? name
      if parameters[canonical] != nil, !order.contains(canonical) { order.append(canonical) }
    }
    let indices = groups.flatMap { $0.dict?["params"]?.items ?? [] }.compactMap(\.int)
    guard indices.sorted() == Array(0..<order.count) else {
      throw TorchFileError(
        "last_optimizer_state covers \(indices.count) parameters; the model has \(order.count)")
    }
    var out: [String: MomentState] = [:]
    for (index, name) in order.enumerated() {
      guard let entry = perParameter[int: index]?.dict else { continue }
      let field = "last_optimizer_state.state[\(index)]"
      var moments: [[Float]] = []
      for key in ["exp_avg", "exp_avg_sq"] {
        guard let value = entry[key] else { throw TorchFileError("\(field) has no \(key)") }
        let t = try file.tensor(value, field: "\(field).\(key)")
        let m = FairseqParameters.translated(name, shape: t.shape, values: try t.floats(), map: map)
        guard m.shape == parameters[name]!.shape else {
          throw TorchFileError(
            "\(field).\(key) has shape \(t.shape); parameter \(name) has \(parameters[name]!.shape)"
          )
        }
        moments.append(m.data)
      }
      out[name] = MomentState(
        step: try step(entry["step"], file: file, field: field), expAvg: moments[0],
        expAvgSq: moments[1])
    }
    return out
  }

  /// `step`: a Python int, or a one-element tensor (newer torch).
  private static func step(_ value: PickleValue?, file: TorchFile, field: String) throws -> Int {
    if let value, let n = value.int { return n }
    if let value, case .object = value, let d = try file.tensor(value, field: field).values().first,
      d >= 0, d == d.rounded()
    {
      return Int(d)
    }
    throw TorchFileError("\(field).step is not a count")
  }
}
