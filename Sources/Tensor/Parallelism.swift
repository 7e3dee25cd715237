/// How many threads one rank's kernels use, and the one way they split work.
///
/// Work is split by item, never by thread: a kernel names `count` independent items (attention
/// blocks, channel blocks, rows, fixed-size element chunks), each item's outputs are written by
/// exactly one call, and every sum that spans items is made over a fixed grouping of the items
/// (never over "what thread t did"). So results do not depend on `threads`: a run at 1 thread
/// and at N threads gives the same bits.
///
/// Layers get it from their `ForwardContext` and pass it to their kernels explicitly. The
/// Tensor-level ops (elementwise, matrix products, reductions) and the optimizer update are
/// called far below any layer, from code that has no context (a loss, a gradient check, an
/// optimizer step), so they read `Parallelism.current`: a task-local value, as `GradMode` is, i.e.
/// an immutable binding for the duration of a closure (`Parallelism.with`), never a mutable
/// global, and the same on every thread that reads it.
public struct Parallelism: Sendable, Equatable {
  /// Threads that run items at once (≥ 1).
  public let threads: Int
  /// The workers of `threads > 1` (shared by every `Parallelism` of the same count).
  @usableFromInline let pool: WorkerPool?

  /// `threads` threads (at least 1).
  public init(threads: Int) {
    precondition(threads >= 1, "Parallelism needs at least one thread")
    self.threads = threads
    pool = threads > 1 ? WorkerPool.shared(threads: threads) : nil
  }

  public static func == (a: Parallelism, b: Parallelism) -> Bool { a.threads == b.threads }

  /// One thread: kernels run their items in order on the calling thread.
  public static let serial = Parallelism(threads: 1)

  @TaskLocal static var bound = Parallelism.serial

  /// The parallelism bound by the innermost `with` around this call (serial outside any).
  public static var current: Parallelism { bound }

  /// Runs `body` with `self` as `current`.
  public func with<T>(_ body: () throws -> T) rethrows -> T {
    try Parallelism.$bound.withValue(self, operation: body)
  }

  /// Calls `body(i, worker)` once for every item `i` in `0..<count`, `worker` in `0..<threads`
  /// naming the thread's slot of preallocated scratch. Items go to threads in contiguous ranges;
  /// `body` must write only item `i`'s outputs (and its worker's scratch) and must not allocate.
  @inlinable @inline(__always)
  public func forEach(_ count: Int, _ body: (_ item: Int, _ worker: Int) -> Void) {
    let parts = Swift.min(threads, count)
    guard parts > 1, let pool else {
      for i in 0..<count { body(i, 0) }
      return
    }
    pool.run(parts: parts) { p in
      for i in (count * p / parts)..<(count * (p + 1) / parts) { body(i, p) }
    }
  }

  /// Calls `body(range, worker)` for one contiguous range of `0..<count` per thread: for items
  /// whose results do not depend on one another at all (independent channels, rows, elements),
  /// where any split gives the same bits and fewer, larger pieces keep memory access in order.
  /// A thread gets at least `grain` items (cheap items: elements).
  @inlinable @inline(__always)
  public func forEachSplit(
    _ count: Int, grain: Int = 1, _ body: (_ items: Range<Int>, _ worker: Int) -> Void
  ) {
    let parts = Swift.max(1, Swift.min(threads, count / Swift.max(grain, 1)))
    forEach(parts) { p, worker in body((count * p / parts)..<(count * (p + 1) / parts), worker) }
  }

  /// The `grain` of elementwise loops: below 2 × 16384 elements one thread does the work.
  public static let elementGrain = 1 << 14
}
