#if canImport(Glibc)
  import Glibc
#endif

/// The pointwise nonlinearities of Mega and SeqBoat (MODEL.md §1), by fairseq name.
public enum Activation: String, CaseIterable, Sendable {
  case relu, gelu, silu, sigmoid, linear, relu2, laplace, tanh
  case geluAccurate = "gelu_accurate"

  /// The activation named `name` (fairseq's `get_activation_fn` names, plus the attention functions).
  public init?(name: String) {
    self.init(rawValue: name == "swish" ? "silu" : name)
  }

  /// The names fairseq's `--activation-fn` and `--classifier-activation-fn` accept
  /// (`get_available_activation_fns`; `gelu_fast` is the deprecated name of `gelu_accurate`).
  public static let fairseqNames = ["relu", "gelu", "gelu_fast", "gelu_accurate", "linear", "silu"]

  /// The activation of a fairseq `--activation-fn` value; nil for any other name.
  public init?(fairseqName name: String) {
    guard Activation.fairseqNames.contains(name) else { return nil }
    self.init(rawValue: name == "gelu_fast" ? "gelu_accurate" : name)
  }

  /// f(x).
  @inlinable @inline(__always) public func apply(_ x: Float) -> Float {
    switch self {
    case .relu: return max(x, 0)
    case .relu2:
      let r = max(x, 0)
      return r * r
    case .gelu: return 0.5 * x * (1 + fastErf(x * 0.707_106_77))
    case .geluAccurate:
      let inner = 0.797_884_56 * (x + 0.044715 * x * x * x)
      return 0.5 * x * (1 + tanhf(inner))
    case .silu: return x / (1 + fastExp(-x))
    case .sigmoid: return 1 / (1 + fastExp(-x))
    case .tanh: return tanhf(x)
    case .linear: return x
    case .laplace: return Activation.laplaceWithSlope(x).value
    }
  }

  /// f'(x).
  @inlinable @inline(__always) public func derivative(_ x: Float) -> Float {
    switch self {
    case .relu: return x > 0 ? 1 : 0
    case .relu2: return x > 0 ? 2 * x : 0
    case .gelu:
      let z = x * 0.707_106_77
      let (tail, gaussian) = fastErfc(nonNegative: abs(z))
      let cdf = z < 0 ? 0.5 * tail : 1 - 0.5 * tail
      return cdf + x * gaussian * 0.398_942_28
    case .geluAccurate:
      let inner = 0.797_884_56 * (x + 0.044715 * x * x * x)
      let t = tanhf(inner)
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * 0.797_884_56 * (1 + 3 * 0.044715 * x * x)
    case .silu:
      let s = 1 / (1 + fastExp(-x))
      return s * (1 + x * (1 - s))
    case .sigmoid:
      let s = 1 / (1 + fastExp(-x))
      return s * (1 - s)
    case .tanh:
      let t = tanhf(x)
      return 1 - t * t
    case .linear: return 1
    case .laplace: return Activation.laplaceWithSlope(x).slope
    }
  }

  /// Mega's laplace attention function `½·(1 + erf((x − μ)/(σ√2)))` and its derivative at `x`
  /// (MODEL.md §1, μ = 0.707107, σ = 0.282095), sharing one Gaussian; branch-free, so loops over
  /// arrays vectorise.
  @inlinable @inline(__always)
  public static func laplaceWithSlope(_ x: Float) -> (value: Float, slope: Float) {
    let width: Float = 0.282095 * 1.414_213_56
    let z = (x - 0.707107) * (1 / width)
    let (tail, gaussian) = fastErfc(nonNegative: abs(z))
    let half = 0.5 * tail
    return (z < 0 ? half : 1 - half, gaussian * (1 / (width * 1.772_453_85)))
  }
}

extension Activation {
  /// `y[i] = f(x[i])`: one loop per activation, so the switch runs once and the loop vectorises.
  public func apply(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutablePointer<Float>) {
    @inline(__always) func each(_ f: (Float) -> Float) { for i in 0..<x.count { y[i] = f(x[i]) } }
    switch self {
    case .relu: each { Activation.relu.apply($0) }
    case .relu2: each { Activation.relu2.apply($0) }
    case .gelu: each { Activation.gelu.apply($0) }
    case .geluAccurate: each { Activation.geluAccurate.apply($0) }
    case .silu: each { Activation.silu.apply($0) }
    case .sigmoid: each { Activation.sigmoid.apply($0) }
    case .tanh: each { Activation.tanh.apply($0) }
    case .linear: each { $0 }
    case .laplace: each { Activation.laplace.apply($0) }
    }
  }

  /// `dx[i] += g[i]·f'(x[i])`, one loop per activation.
  public func accumulateDerivative(
    _ x: UnsafeBufferPointer<Float>, _ g: UnsafeBufferPointer<Float>,
    into dx: UnsafeMutableBufferPointer<Float>
  ) {
    @inline(__always) func each(_ f: (Float) -> Float) {
      for i in 0..<dx.count { dx[i] += g[i] * f(x[i]) }
    }
    switch self {
    case .relu: each { Activation.relu.derivative($0) }
    case .relu2: each { Activation.relu2.derivative($0) }
    case .gelu: each { Activation.gelu.derivative($0) }
    case .geluAccurate: each { Activation.geluAccurate.derivative($0) }
    case .silu: each { Activation.silu.derivative($0) }
    case .sigmoid: each { Activation.sigmoid.derivative($0) }
    case .tanh: each { Activation.tanh.derivative($0) }
    case .linear: each { _ in 1 }
    case .laplace: each { Activation.laplace.derivative($0) }
    }
  }
}

extension Tensor {
  /// `f(self)` elementwise, with its derivative in backward.
  public func activated(_ f: Activation) -> Tensor {
    f == .linear ? self : activated(f, lastDim: 0..<lastDim)
  }

  /// `f` of the columns `range` of the last dimension, times `dropout`'s mask (indexed by output
  /// element) when given, in one pass: the slice, the activation and the dropout of a projection
  /// that packs several outputs (e.g. Mega's `mx_proj`) without an array between them, and no
  /// mask stored (backward redraws it). With `.linear` and no dropout it is `slice(lastDim:)`.
  public func activated(_ f: Activation, lastDim range: Range<Int>, dropout: DropoutDraw? = nil)
    -> Tensor
  {
    precondition(
      range.lowerBound >= 0 && range.upperBound <= lastDim, "columns \(range) of \(shape)")
    // Work goes by segments small enough for the dropout pass to find them in L1: rows of the
    // columns, or blocks of the whole buffer when every column is taken.
    let whole = range.count == lastDim
    let segment = whole ? 4096 : range.count
    let (inStride, lo) = whole ? (segment, 0) : (lastDim, range.lowerBound)
    let outCount = count / max(lastDim, 1) * range.count
    // Segments are independent: they run on the current threads, each writing its own output.
    let parallelism = Parallelism.current
    @inline(__always) func eachSegment(
      _ body: (_ input: Int, _ output: Int, _ length: Int, _ worker: Int) -> Void
    ) {
      parallelism.forEach((outCount + segment - 1) / segment) { s, worker in
        let o = s * segment
        body(s * inStride + lo, o, Swift.min(segment, outCount - o), worker)
      }
    }
    let y = data.withUnsafeBufferPointer { x in
      Tensor.uninitializedArray(outCount) { y in
        eachSegment { i, o, len, _ in
          f.apply(UnsafeBufferPointer(start: x.baseAddress! + i, count: len), into: y + o)
          dropout?.apply(to: y + o, first: o, count: len)
        }
      }
    }
    return .op(
      shape: whole ? shape : Array(shape.dropLast()) + [range.count], data: y, parents: [self],
      halfOutput: f == .linear && dropout == nil ? .copied : .rounded
    ) { out in
      let scratch = UnsafeMutablePointer<Float>.allocate(
        capacity: dropout == nil ? 0 : segment * parallelism.threads)
      defer { scratch.deallocate() }
      out.grad!.withUnsafeBufferPointer { g in
        self.data.withUnsafeBufferPointer { x in
          self.accumulateGrad { d in
            eachSegment { i, o, len, worker in
              var gs = g.baseAddress! + o
              if let dropout {
                let scaled = scratch + worker * segment
                scaled.update(from: gs, count: len)
                dropout.apply(to: scaled, first: o, count: len)
                gs = UnsafePointer(scaled)
              }
              f.accumulateDerivative(
                UnsafeBufferPointer(start: x.baseAddress! + i, count: len),
                UnsafeBufferPointer(start: gs, count: len),
                into: UnsafeMutableBufferPointer(start: d.baseAddress! + i, count: len))
            }
          }
        }
      }
    }
  }
}
