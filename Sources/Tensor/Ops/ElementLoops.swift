/// The flat loops behind the elementwise tensor ops, each over `n` floats from plain pointers.
///
/// They are functions rather than closures handed to a generic loop: a loop body passed as a
/// closure is called once per element from inside the worker pool's job (the compiler cannot
/// inline it there), which made the elementwise ops several times slower on two threads than on
/// one. `split` runs a loop over the current threads, one contiguous range each; elements are
/// independent, so any split gives the same bits.
enum ElementLoops {
  /// `y = a ∘ b`.
  enum Binary {
    case add, subtract, multiply
  }

  static func binary(
    _ op: Binary, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ y: UnsafeMutablePointer<Float>, _ n: Int
  ) {
    switch op {
    case .add: for i in 0..<n { y[i] = a[i] + b[i] }
    case .subtract: for i in 0..<n { y[i] = a[i] - b[i] }
    case .multiply: for i in 0..<n { y[i] = a[i] * b[i] }
    }
  }

  /// `y = a·s`.
  static func scale(
    _ a: UnsafePointer<Float>, _ s: Float, _ y: UnsafeMutablePointer<Float>, _ n: Int
  ) {
    for i in 0..<n { y[i] = a[i] * s }
  }

  /// `y = a + c`.
  static func shift(
    _ a: UnsafePointer<Float>, _ c: Float, _ y: UnsafeMutablePointer<Float>, _ n: Int
  ) {
    for i in 0..<n { y[i] = a[i] + c }
  }

  /// `y = a + w·(b − a)`.
  static func lerp(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
    _ y: UnsafeMutablePointer<Float>, _ n: Int
  ) {
    for i in 0..<n { y[i] = a[i] + w[i] * (b[i] - a[i]) }
  }

  /// `d += g`.
  static func accumulate(_ d: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int) {
    for i in 0..<n { d[i] += g[i] }
  }

  /// `d −= g`.
  static func subtract(_ d: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int) {
    for i in 0..<n { d[i] -= g[i] }
  }

  /// `d += g·s`.
  static func addScaled(
    _ d: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ s: Float, _ n: Int
  ) {
    for i in 0..<n { d[i] += g[i] * s }
  }

  /// `d += a·b`.
  static func addProduct(
    _ d: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ n: Int
  ) {
    for i in 0..<n { d[i] += a[i] * b[i] }
  }

  /// `d += g·(1 − w)`: the gradient of lerp's start.
  static func addComplementProduct(
    _ d: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
    _ n: Int
  ) {
    for i in 0..<n { d[i] += g[i] * (1 - w[i]) }
  }

  /// `d += g·(b − a)`: the gradient of lerp's weight.
  static func addDifferenceProduct(
    _ d: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ a: UnsafePointer<Float>,
    _ b: UnsafePointer<Float>, _ n: Int
  ) {
    for i in 0..<n { d[i] += g[i] * (b[i] - a[i]) }
  }

  /// `body(offset, count)` for one contiguous range of `0..<n` per thread of
  /// `Parallelism.current` (below `2 × elementGrain` elements, one range).
  @inline(__always)
  static func split(_ n: Int, _ body: (_ offset: Int, _ count: Int) -> Void) {
    Parallelism.current.forEachSplit(n, grain: Parallelism.elementGrain) { r, _ in
      body(r.lowerBound, r.count)
    }
  }
}
