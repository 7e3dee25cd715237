extension Tensor {
  /// A fused op's output, registered with the tape in one line: `backward` receives the output
  /// gradient and the gradient buffers of `parents`, in order (nil for a parent that takes no
  /// gradient; zeros on first use; a parent listed twice gets one buffer). Its kernel adds to
  /// those buffers, as llm.c's `*_backward` functions do.
  public static func fused(
    shape: [Int], data: __owned [Float], parents: [Tensor], halfOutput: HalfOutput = .rounded,
    backward: @escaping (UnsafePointer<Float>, [UnsafeMutablePointer<Float>?]) -> Void
  ) -> Tensor {
    .op(shape: shape, data: data, parents: parents, halfOutput: halfOutput) { out in
      out.grad!.withUnsafeBufferPointer { g in
        withGradients(parents) { backward(g.baseAddress!, $0) }
      }
    }
  }

  /// Runs `body` with the gradient buffers of `tensors` (see `fused`).
  public static func withGradients<R>(
    _ tensors: [Tensor], _ body: ([UnsafeMutablePointer<Float>?]) -> R
  ) -> R {
    var pointers: [UnsafeMutablePointer<Float>?] = []
    func bind(_ i: Int) -> R {
      guard i < tensors.count else { return body(pointers) }
      let t = tensors[i]
      if let j = tensors[..<i].firstIndex(where: { $0 === t }) {
        pointers.append(pointers[j])
        return bind(i + 1)
      }
      guard t.requiresGrad else {
        pointers.append(nil)
        return bind(i + 1)
      }
      if t.grad == nil { t.grad = Tensor.zeroArray(t.count) }
      return t.grad!.withUnsafeMutableBufferPointer {
        pointers.append($0.baseAddress)
        return bind(i + 1)
      }
    }
    return bind(0)
  }

  /// Runs `body` with the values of `tensors`, in order, as flat buffers.
  public static func withData<R>(_ tensors: [Tensor], _ body: ([UnsafePointer<Float>]) -> R)
    -> R
  {
    var pointers: [UnsafePointer<Float>] = []
    func bind(_ i: Int) -> R {
      guard i < tensors.count else { return body(pointers) }
      return tensors[i].data.withUnsafeBufferPointer {
        pointers.append($0.baseAddress!)
        return bind(i + 1)
      }
    }
    return bind(0)
  }
}

/// A flat float buffer a fused op owns (saved activations, scratch), freed with its last user.
/// Kernels take its `base` pointer, so a backward closure holds no nested array accesses.
public final class FloatBuffer: @unchecked Sendable {
  /// The first element.
  public let base: UnsafeMutablePointer<Float>
  /// Number of elements.
  public let count: Int

  /// `count` zeros.
  public init(zeros count: Int) {
    self.count = count
    base = .allocate(capacity: max(count, 1))
    base.initialize(repeating: 0, count: max(count, 1))
  }

  deinit { base.deallocate() }
}
