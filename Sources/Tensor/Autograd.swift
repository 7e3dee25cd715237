extension Tensor {
  /// Back-propagates from this tensor. `seed` is the cotangent (defaults to ones, i.e. d(sum)/d(self)).
  /// Gradients of intermediate results are released after use; leaves keep theirs in `grad`.
  public func backward(seed: [Float]? = nil) {
    precondition(seed == nil || seed!.count == count, "seed of \(seed!.count) values for \(shape)")
    guard requiresGrad else { return }
    let order = topologicalOrder()
    accumulateGrad { g in
      if let seed {
        for i in 0..<g.count { g[i] += seed[i] }
      } else {
        for i in 0..<g.count { g[i] += 1 }
      }
    }
    for node in order.reversed() {
      guard let fn = node.backwardFn, node.grad != nil else { continue }
      fn(node)
      node.grad = nil
    }
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
