import HDF5
import Layers
import Tensor

/// The common flow of a layer case (README *Kinds*, layer kinds): load `/params` into the module,
/// make the float inputs differentiable, run the forward the caller supplies, back-propagate
/// `Σ_n Σ outputs/n ⊙ cotangents/n`, and compare every dataset under `/outputs` and `/grads`.
public struct LayerCase {
  /// The file.
  public let file: GoldenFile
  /// `/inputs`.
  public let inputs: [String: GoldenArray]

  /// Reads the inputs of `file`.
  public init(_ file: GoldenFile) throws {
    self.file = file
    inputs = try file.arrays(under: "/inputs", required: true)
  }

  /// Causal iff `/inputs/attn_mask` exists.
  public var causal: Bool { inputs["attn_mask"] != nil }

  /// Train mode iff the file's `mode` is `train`.
  public var training: Bool { file.mode == "train" }

  /// A forward context in the file's mode, on one process (goldens' dropout is 0).
  public func context() -> ForwardContext { ForwardContext(training: training) }

  /// The floating input `name` as a differentiable tensor; `channels`, if given, is the size its
  /// last dimension must have (a sequence input `[L, B, channels]` of the configured module).
  public func input(_ name: String, channels: Int? = nil) throws -> Tensor {
    guard let a = inputs[name] else {
      throw GoldenError.invalid("dataset '/inputs/\(name)' is missing")
    }
    if let channels, a.shape.count != 3 || a.shape[2] != channels || a.shape.contains(0) {
      throw GoldenError.invalid(
        "input '\(name)' has shape \(a.shape), expected [L, B, \(channels)] for the config")
    }
    return Tensor(shape: a.shape, data: a.floats, requiresGrad: true)
  }

  /// `/inputs/padding_mask` (`[B, L]`, 1 = padding), checked against the layer input `x`
  /// (`[L, B, ...]`); nil when absent.
  public func paddingMask(for x: Tensor) throws -> [Bool]? {
    guard let a = inputs["padding_mask"] else { return nil }
    guard a.shape == [x.shape[1], x.shape[0]] else {
      throw GoldenError.invalid("padding_mask shape \(a.shape) does not match x \(x.shape)")
    }
    return a.flags
  }

  /// Loads `/params` into `module` by name; a name on either side without a partner means the
  /// module built from the config is not the one of the file.
  public func load(_ module: Module) throws {
    let params = try file.arrays(under: "/params", required: true)
    var values: [String: (shape: [Int], data: [Float])] = [:]
    for (name, a) in params { values[name] = (a.shape, a.floats) }
    let unused: [String]
    do { unused = try module.load(values) } catch {
      throw GoldenError.unsupported("module built from the config does not fit /params: \(error)")
    }
    guard unused.isEmpty else {
      throw GoldenError.unsupported(
        "module built from the config has no parameter \(unused.joined(separator: ", "))")
    }
  }

  /// Back-propagates the cotangent scalar from `outputs` and compares outputs, input gradients
  /// (of `differentiable`, by input name) and the gradients of `module`'s parameters.
  public func compare(
    module: Module, differentiable: [String: Tensor], outputs: [String: Tensor]
  ) throws -> [GoldenComparison] {
    let cotangents = try file.arrays(under: "/cotangents", required: true)
    var scalar: Tensor?
    for (name, cot) in cotangents.sorted(by: { $0.key < $1.key }) {
      guard let out = outputs[name] else {
        throw GoldenError.unsupported("output '\(name)' has a cotangent but is not produced")
      }
      guard cot.values.count == out.count else {
        throw GoldenError.invalid("cotangent '\(name)' shape \(cot.shape) for output \(out.shape)")
      }
      let term = out.dot(cot.floats)
      scalar = scalar.map { $0 + term } ?? term
    }
    if let scalar, scalar.requiresGrad { scalar.backward() }
    guard file.exists("/grads") else { throw GoldenError.invalid("group '/grads' is missing") }
    let outTol = try file.tolerance("outputs_atol_rel")
    let gradTol = try file.tolerance("grads_atol_rel")
    var results: [GoldenComparison] = []
    func add(_ path: String, _ got: Tensor?, grad: Bool, _ ref: GoldenArray, _ tol: Double) {
      guard let got else {
        results.append(GoldenComparison(missing: path, tolerance: tol))
        return
      }
      let values = grad ? got.gradOrZeros : got.data
      results.append(
        GoldenComparison(path: path, got: values.map(Double.init), reference: ref, tolerance: tol))
    }
    let references = try file.arrays(under: "/outputs", required: true)
    for (name, ref) in references.sorted(by: { $0.key < $1.key }) {
      add("/outputs/" + name, outputs[name], grad: false, ref, outTol)
    }
    for (name, ref) in try file.arrays(under: "/grads/inputs").sorted(by: { $0.key < $1.key }) {
      add("/grads/inputs/" + name, differentiable[name], grad: true, ref, gradTol)
    }
    let params = Dictionary(module.parameters.map { ($0.name, $0.tensor) }) { a, _ in a }
    for (name, ref) in try file.arrays(under: "/grads/params").sorted(by: { $0.key < $1.key }) {
      add("/grads/params/" + name, params[name], grad: true, ref, gradTol)
    }
    return results
  }
}
