import HDF5
import Layers
import Models
import Tensor

/// Golden kinds `model_lra` (`LRAModel`), `model_sc` (`SCRawModel`) and `model_lm`
/// (`MegaLanguageModel`, `SeqBoatLanguageModel`): the model rebuilt from `config.args`, its
/// outputs, the loss and the gradients of the loss; SeqBoat router outputs per layer.
enum ModelGoldenCase {
  static func run(_ file: GoldenFile) throws -> [GoldenComparison] {
    let config = try modelConfig(file)
    let model = makeModel(config)
    let layer = try LayerCase(file)
    let view = TiedView(model)
    try load(view, file)
    let ctx = layer.context()
    let inputs = GoldenInputs(layer)
    let reference = try model.referenceOutputs(inputs, ctx)
    var outputs = reference.tensors
    let loss = reference.meanLoss
    outputs["loss"] = loss
    for (i, record) in ctx.routers.enumerated() {
      outputs.merge(SeqBoatGoldenCase.routerOutputs(record, layer: i)) { a, _ in a }
    }
    if loss.requiresGrad { loss.backward() }
    return try layer.compare(module: view, differentiable: inputs.read, outputs: outputs)
  }

  /// `config.model_class`, `arch`, `task.vocab_size` and `args` as a `ModelConfig`.
  static func modelConfig(_ file: GoldenFile) throws -> ModelConfig {
    let text: String
    do { text = try HDF5File.open(file.path).root().stringAttribute("config") } catch {
      throw GoldenError.invalid("root attribute 'config' cannot be read: \(error)")
    }
    let json: JSONValue
    do { json = try JSONValue(parsing: text) } catch {
      throw GoldenError.invalid("attribute 'config': \(error)")
    }
    guard let modelClass = json["model_class"]?.string, let arch = json["arch"]?.string,
      let vocab = json["task"]?["vocab_size"]?.int, let args = json["args"]
    else {
      throw GoldenError.invalid("config lacks model_class, arch, task.vocab_size or args")
    }
    do {
      return try ModelConfig(modelClass: modelClass, arch: arch, vocabSize: vocab, args: args)
    } catch {
      throw GoldenError.unsupported("\(error)")
    }
  }

  /// Loads `group` (`/params`); the only names without a partner may be reference buffers that carry no
  /// values (`version`, `_float_tensor`).
  static func load(_ module: Module, _ file: GoldenFile, group: String = "/params") throws {
    var values: [String: (shape: [Int], data: [Float])] = [:]
    for (name, a) in try file.arrays(under: group) { values[name] = (a.shape, a.floats) }
    let unused: [String]
    do { unused = try module.load(values) } catch {
      throw GoldenError.unsupported("model built from the config does not fit /params: \(error)")
    }
    let unexpected = unused.filter { !$0.hasSuffix(".version") && !$0.hasSuffix("._float_tensor") }
    guard unexpected.isEmpty else {
      throw GoldenError.unsupported(
        "model built from the config has no parameter \(unexpected.joined(separator: ", "))")
    }
  }
}

/// A model's state with its tied aliases listed as parameters too (the golden files store a tied
/// tensor under every name).
private final class TiedView: Module {
  let model: Model

  init(_ model: Model) { self.model = model }

  var members: [ModuleMember] {
    let byName = Dictionary(model.parameters.map { ($0.name, $0.tensor) }) { a, _ in a }
    let aliases = model.tiedNames.sorted { $0.key < $1.key }.compactMap { alias, target in
      byName[target].map { ModuleMember.parameter(alias, $0) }
    }
    return [.child("", model)] + aliases
  }
}

/// A golden file's inputs as a model reads them; the real-valued ones it read are differentiable
/// (their gradients are compared).
private final class GoldenInputs: ReferenceInputs {
  let layer: LayerCase
  /// The real-valued inputs read, by name.
  private(set) var read: [String: Tensor] = [:]

  init(_ layer: LayerCase) { self.layer = layer }

  func tokens(_ name: String) throws -> (ids: [Int], batch: Int) {
    let a = try layer.inputArray(name)
    return (a.ints, a.shape.first ?? 0)
  }

  func labels(_ name: String) throws -> [Int] { try layer.inputArray(name).ints }

  func values(_ name: String) throws -> Tensor {
    let x = try layer.input(name)
    read[name] = x
    return x
  }
}

extension LayerCase {
  /// The input `name` as stored (integers for token ids).
  func inputArray(_ name: String) throws -> GoldenArray {
    guard let a = inputs[name] else {
      throw GoldenError.invalid("dataset '/inputs/\(name)' is missing")
    }
    return a
  }
}

extension GoldenArray {
  /// The values as integers (token ids, targets).
  var ints: [Int] { values.map { Int($0) } }
}
