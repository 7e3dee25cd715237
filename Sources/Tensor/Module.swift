/// A layer or model, as a node of a module tree (PyTorch's and Flax's `nn.Module`): it declares its
/// own parameters and buffers and its child modules once, in `members`, under the reference's
/// `state_dict` names. Everything that walks a model (qualified names, counts, state save and
/// load, half copies, zeroing gradients) is one generic traversal over that declaration, below.
public protocol Module: AnyObject {
  /// This module's parameters, buffers and children, in the reference's `state_dict` order.
  var members: [ModuleMember] { get }
}

/// One entry of a module's declaration.
public enum ModuleMember {
  /// A trainable tensor under its name relative to the module.
  case parameter(String, Tensor)
  /// Non-trainable state (e.g. batch-norm running statistics).
  case buffer(String, Tensor)
  /// A child module whose entries are named `name.…`.
  case child(String, Module)

}

extension [ModuleMember] {
  /// `[.child(name, module)]` when `module` exists, nothing otherwise (optional sub-layers).
  public static func child(_ name: String, _ module: Module?) -> [ModuleMember] {
    module.map { [.child(name, $0)] } ?? []
  }

  /// `[.parameter(name, tensor)]` when `tensor` exists, nothing otherwise (optional biases).
  public static func parameter(_ name: String, _ tensor: Tensor?) -> [ModuleMember] {
    tensor.map { [.parameter(name, $0)] } ?? []
  }

  /// `name.0`, `name.1`, … for a list of children (`nn.ModuleList`).
  public static func children(_ name: String, _ modules: [Module]) -> [ModuleMember] {
    modules.enumerated().map { .child("\(name).\($0.offset)", $0.element) }
  }
}

/// A named tensor of a module's state.
public typealias NamedTensor = (name: String, tensor: Tensor)

extension Module {
  /// Every parameter of the tree under its qualified name, in declaration order.
  public var parameters: [NamedTensor] { state(parameters: true, buffers: false) }

  /// Every buffer of the tree under its qualified name.
  public var buffers: [NamedTensor] { state(parameters: false, buffers: true) }

  /// Parameters and buffers, each in declaration order (parameters first), as PyTorch's
  /// `state_dict` lists them.
  public var stateDict: [NamedTensor] { parameters + buffers }

  /// Every module of the tree (this one first) with its qualified name ("" for this one).
  public var namedModules: [(name: String, module: Module)] {
    var list: [(name: String, module: Module)] = [("", self)]
    for case .child(let name, let child) in members {
      list += child.namedModules.map { (name: qualified(name, $0.name), module: $0.module) }
    }
    return list
  }

  /// Number of trainable scalars.
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.tensor.count } }

  /// Clears every parameter's gradient.
  public func zeroGrad() { for p in parameters { p.tensor.grad = nil } }

  /// Runs `body` on the half model (fairseq's `model.half()` for a forward and backward pass):
  /// every parameter rounded to Float16 and marked half, so that the ops reading them are half ops;
  /// then the float32 values (the optimizer's masters) and marks are put back. With `enabled`
  /// false it just runs `body`.
  public func withHalfWeights<T>(_ enabled: Bool = true, _ body: () throws -> T) rethrows -> T {
    guard enabled else { return try body() }
    let tensors = parameters.map(\.tensor)
    let masters = tensors.map(\.data)
    for t in tensors { t.convertToHalf() }
    defer {
      for (t, m) in zip(tensors, masters) {
        t.data = m
        t.convertToFloat()
      }
    }
    return try body()
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

  private func state(parameters: Bool, buffers: Bool) -> [NamedTensor] {
    members.flatMap { member -> [NamedTensor] in
      switch member {
      case .parameter(let name, let t): return parameters ? [(name, t)] : []
      case .buffer(let name, let t): return buffers ? [(name, t)] : []
      case .child(let prefix, let child):
        return child.state(parameters: parameters, buffers: buffers).map {
          (name: qualified(prefix, $0.name), tensor: $0.tensor)
        }
      }
    }
  }

  private func qualified(_ prefix: String, _ name: String) -> String {
    prefix.isEmpty ? name : name.isEmpty ? prefix : prefix + "." + name
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
