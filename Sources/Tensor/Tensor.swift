/// A dense, contiguous, row-major float32 tensor, and a node of the autograd graph.
///
/// A tensor made by an op remembers its inputs (`parents`) and a closure that maps its gradient to
/// theirs. `backward()` walks the graph in reverse topological order. Leaves created with
/// `requiresGrad: true` (parameters, inputs of a gradient check) accumulate their gradient in `grad`.
public final class Tensor {
  /// Extent of each dimension; the last dimension is contiguous.
  public let shape: [Int]
  /// Elements in row-major order.
  public var data: [Float]
  /// Gradient of the differentiated scalar with respect to this tensor, once `backward()` reached it.
  public var grad: [Float]?
  /// Whether gradients flow into this tensor.
  public let requiresGrad: Bool
  /// The op's inputs; cleared once `backward()` has used them, so that the pass frees each saved
  /// activation as soon as nothing later in it needs the value.
  var parents: [Tensor]
  /// The op's backward closure (it holds the values it saved); cleared with `parents`.
  var backwardFn: ((Tensor) -> Void)?
  /// Float32, half or a float32 island of a half model (`TensorPrecision.swift`): a leaf's is set
  /// by `convertToHalf()`, an op output's follows its inputs.
  public internal(set) var precision: Precision

  /// A leaf tensor holding `data` (count must equal the product of `shape`).
  public init(shape: [Int], data: [Float], requiresGrad: Bool = false) {
    precondition(
      shape.reduce(1, *) == data.count, "shape \(shape) does not hold \(data.count) values")
    self.shape = shape
    self.data = data
    self.requiresGrad = requiresGrad
    self.parents = []
    self.backwardFn = nil
    self.precision = .float
  }

  init(
    shape: [Int], data: __owned [Float], parents: [Tensor], halfOutput: HalfOutput,
    backward: ((Tensor) -> Void)?
  ) {
    self.shape = shape
    self.data = data
    let (precision, rounds) = Tensor.precision(of: halfOutput, parents: parents)
    self.precision = precision
    if rounds { HalfRounding.round(&self.data) }
    let tracked = GradMode.isRecording && backward != nil && parents.contains { $0.requiresGrad }
    self.requiresGrad = tracked
    self.parents = tracked ? parents : []
    self.backwardFn = tracked ? backward : nil
  }

  /// A leaf of zeros.
  public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
    Tensor(
      shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)),
      requiresGrad: requiresGrad)
  }

  /// A leaf filled with `value`.
  public static func full(_ shape: [Int], _ value: Float) -> Tensor {
    Tensor(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)))
  }

  /// Number of elements.
  public var count: Int { data.count }
  /// Number of dimensions.
  public var rank: Int { shape.count }
  /// Size of the last dimension (1 for a scalar).
  public var lastDim: Int { shape.last ?? 1 }
  /// The value of a one-element tensor.
  public var item: Float {
    precondition(count == 1, "item of a tensor of shape \(shape)")
    return data[0]
  }

  /// The result of an op: `backward` receives the output (whose `grad` is set) and must add the
  /// input gradients with `accumulateGrad`. Tracked only when grad mode is on and a parent needs it.
  /// `halfOutput` says how the output is treated in a half model (rounded to half by default).
  public static func op(
    shape: [Int], data: __owned [Float], parents: [Tensor], halfOutput: HalfOutput = .rounded,
    backward: @escaping (Tensor) -> Void
  ) -> Tensor {
    Tensor(shape: shape, data: data, parents: parents, halfOutput: halfOutput, backward: backward)
  }

  /// Adds to this tensor's gradient through `body`, allocating it (zeros) on first use.
  /// Does nothing when the tensor does not require a gradient.
  public func accumulateGrad(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
    guard requiresGrad else { return }
    if grad == nil { grad = Tensor.zeroArray(count) }
    grad!.withUnsafeMutableBufferPointer { body($0) }
  }

  /// Adds `g` (same element count) to this tensor's gradient (a copy of `g` on first use).
  public func accumulateGrad(_ g: UnsafeBufferPointer<Float>) {
    guard requiresGrad else { return }
    guard grad != nil else {
      precondition(g.count == count, "gradient of \(g.count) values for \(shape)")
      grad = Tensor.uninitializedArray(count) { d in
        let x = g.baseAddress!
        ElementLoops.split(count) { o, n in (d + o).initialize(from: x + o, count: n) }
      }
      return
    }
    accumulateGrad { dst in dst.accumulate(g) }
  }

  /// This tensor's gradient, or zeros if none arrived.
  public var gradOrZeros: [Float] { grad ?? [Float](repeating: 0, count: count) }
}

/// Whether ops record the graph for backward: on, except inside `withoutGrad` (evaluation,
/// optimizer updates, numerical probes).
///
/// This is the one mode that is not passed through `ForwardContext`: every op of the engine reads
/// it, most of them far below any layer (an optimizer update, a gradient check), so it is a
/// task-local value, as `torch.no_grad` is thread-local: an immutable binding for the duration of a
/// closure, never a mutable global, and safe to read from any thread.
public enum GradMode {
  @TaskLocal static var recording = true

  /// Whether ops called here record the graph.
  public static var isRecording: Bool { recording }

  /// Runs `body` with graph recording off.
  public static func withoutGrad<T>(_ body: () throws -> T) rethrows -> T {
    try $recording.withValue(false, operation: body)
  }
}
