/// A layer or model: owns named parameters and buffers, named as the reference `state_dict`.
public protocol Module: AnyObject {
  /// Trainable tensors under their reference names, relative to this module, in a fixed order.
  var parameters: [(name: String, tensor: Tensor)] { get }
  /// Non-trainable state (e.g. batch-norm running statistics) under reference names.
  var buffers: [(name: String, tensor: Tensor)] { get }
}

extension Module {
  public var buffers: [(name: String, tensor: Tensor)] { [] }

  /// Parameters and buffers together.
  public var stateDict: [(name: String, tensor: Tensor)] { parameters + buffers }

  /// Number of trainable scalars.
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.tensor.count } }

  /// Clears every parameter's gradient.
  public func zeroGrad() { for p in parameters { p.tensor.grad = nil } }

  /// Prefixes each name of `child`'s state with `prefix.`.
  public func scoped(_ prefix: String, _ entries: [(name: String, tensor: Tensor)])
    -> [(name: String, tensor: Tensor)]
  {
    entries.map { (name: prefix + "." + $0.name, tensor: $0.tensor) }
  }

  /// Copies values into parameters and buffers by name. Throws on a missing name or a shape mismatch
  /// (the shapes must be equal, not only the element counts);
  /// names in `values` that this module does not have are returned.
  @discardableResult
  public func load(_ values: [String: (shape: [Int], data: [Float])]) throws -> [String] {
    var unused = Set(values.keys)
    for (name, t) in stateDict {
      guard let v = values[name] else { throw ModuleError.missing(name) }
      guard v.shape == t.shape, v.data.count == t.count else {
        throw ModuleError.shape(name, expected: t.shape, got: v.shape)
      }
      t.data = v.data
      unused.remove(name)
    }
    return unused.sorted()
  }
}

/// Errors of loading module state.
public enum ModuleError: Error, CustomStringConvertible {
  case missing(String)
  case shape(String, expected: [Int], got: [Int])

  public var description: String {
    switch self {
    case .missing(let n): return "parameter '\(n)' is missing"
    case .shape(let n, let e, let g): return "parameter '\(n)' has shape \(g), expected \(e)"
    }
  }
}
