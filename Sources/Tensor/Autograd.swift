extension Tensor {
  /// Back-propagates from this tensor. `seed` is the cotangent (defaults to ones, i.e. d(sum)/d(self)).
  /// Gradients of intermediate results are released after use; leaves keep theirs in `grad`. The
  /// graph is consumed, as PyTorch's default: each op drops its inputs and saved values once its
  /// backward has run, so a second `backward()` through the same ops reaches no parameter.
  /// `onLeafGradient`, if given, is called for each leaf reached as soon as its gradient from this
  /// pass is complete (every op using it has run its backward), while the rest of the pass goes on:
  /// data-parallel training starts reducing those gradients early.
  /// In a half model, the gradient of every half op output is rounded to half once complete
  /// (before its op's backward runs), and so is every half leaf's (before `onLeafGradient`).
  public func backward(seed: [Float]? = nil, onLeafGradient: ((Tensor) -> Void)? = nil) {
    precondition(seed == nil || seed!.count == count, "seed of \(seed!.count) values for \(shape)")
    guard requiresGrad else { return }
    var order = topologicalOrder()
    accumulateGrad { g in
      if let seed {
        for i in 0..<g.count { g[i] += seed[i] }
      } else {
        for i in 0..<g.count { g[i] += 1 }
      }
    }
    // Taken before the pass consumes the graph (ops then look like leaves).
    let leaves =
      onLeafGradient == nil ? order.filter { $0.backwardFn == nil && $0.precision == .half } : []
    var consumers: [ObjectIdentifier: Int] = [:]
    if let onLeafGradient {
      for node in order where node.backwardFn != nil {
        for p in node.parents where p.requiresGrad {
          consumers[ObjectIdentifier(p), default: 0] += 1
        }
      }
      if backwardFn == nil {
        if precision == .half { roundGradToHalf() }
        onLeafGradient(self)
      }
    }
    while let node = order.popLast() {
      guard let fn = node.backwardFn else { continue }
      if node.grad != nil {
        if node.precision == .half { node.roundGradToHalf() }
        fn(node)
        node.grad = nil
      }
      if let onLeafGradient {
        for p in node.parents where p.requiresGrad {
          let id = ObjectIdentifier(p)
          consumers[id]! -= 1
          if consumers[id] == 0 && p.backwardFn == nil {
            if p.precision == .half { p.roundGradToHalf() }
            onLeafGradient(p)
          }
        }
      }
      node.backwardFn = nil
      node.parents = []
    }
    for leaf in leaves { leaf.roundGradToHalf() }
  }

  /// The leaves (tensors not made by an op) that `backward()` from this tensor would reach.
  public func reachableLeaves() -> [Tensor] {
    topologicalOrder().filter { $0.backwardFn == nil }
  }

  /// Nodes reachable from `self` that require a gradient, every node after its parents.
  func topologicalOrder() -> [Tensor] {
    var order: [Tensor] = []
    var visited = Set<ObjectIdentifier>()
    var stack: [(Tensor, Bool)] = [(self, false)]
    while let (node, expanded) = stack.popLast() {
      if expanded {
        order.append(node)
        continue
      }
      guard node.requiresGrad, visited.insert(ObjectIdentifier(node)).inserted else { continue }
      stack.append((node, true))
      for p in node.parents where p.requiresGrad { stack.append((p, false)) }
    }
    return order
  }
}
