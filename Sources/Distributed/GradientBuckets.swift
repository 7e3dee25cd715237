import CMPI
import Tensor

/// Sums parameter gradients over all ranks in flat buckets of about `bucketBytes`, each all-reduced
/// (non-blocking) as soon as every gradient in it is ready, so reduction overlaps the rest of
/// backward; `finish` waits for all of them before the optimizer step.
///
/// Buckets take parameters in reverse order (backward produces the last layers' gradients first)
/// and are started strictly in bucket order, so every rank issues the same collectives in the same
/// order whatever order its gradients become ready in. A parameter without a gradient on a rank
/// contributes zeros; each bucket also carries one flag per parameter ("this rank had a gradient"),
/// and after the reduction a parameter that no rank had a gradient for gets `grad = nil`, so the
/// optimizer skips it exactly as a single process would (MODEL.md §6.3).
public final class GradientBuckets {
  /// How gradients travel.
  public enum Precision: String {
    /// 4-byte floats.
    case float32
    /// IEEE half floats (fp16 training): values are rounded to half before the sum, every partial
    /// sum is rounded to half, and overflow gives ±inf (which the loss scaler detects).
    case float16

    var bytes: Int { self == .float32 ? 4 : 2 }
  }

  /// One flat buffer: gradients of `members` back to back, then one flag per member.
  final class Bucket {
    let members: [Int]
    let offsets: [Int]
    let valueCount: Int
    let buffer: UnsafeMutableRawPointer
    var ready = 0
    var pending: Communicator.PendingCollective?

    init(members: [Int], sizes: [Int], precision: Precision) {
      self.members = members
      var offsets: [Int] = []
      var total = 0
      for m in members {
        offsets.append(total)
        total += sizes[m]
      }
      self.offsets = offsets
      self.valueCount = total
      let bytes = (total + members.count) * precision.bytes
      buffer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1), alignment: 16)
    }

    deinit { buffer.deallocate() }

    var elementCount: Int { valueCount + members.count }
  }

  /// The communicator the buckets are reduced over (a duplicate of the one given).
  public let communicator: Communicator
  /// How gradients travel.
  public let precision: Precision
  /// Element count of every parameter, in parameter order.
  public let sizes: [Int]
  let buckets: [Bucket]
  private var location: [(bucket: Int, slot: Int)]
  private var marked: [Bool]
  private var nextToStart = 0
  private var hookError: Error?

  /// Buckets for parameters of the given element counts (parameter order), each holding at most
  /// `bucketBytes` of gradients unless a single parameter is larger. They reduce on a duplicate of
  /// `communicator` (so collectives that layers call during backward cannot interleave with
  /// them): collective, every rank creates its buckets at the same point. Throws when the
  /// duplicate cannot be made.
  public init(
    communicator: Communicator, sizes: [Int], bucketBytes: Int = 25 << 20,
    precision: Precision = .float32
  ) throws {
    self.communicator = try communicator.duplicate()
    self.precision = precision
    self.sizes = sizes
    var groups: [[Int]] = []
    var current: [Int] = []
    var bytes = 0
    for p in sizes.indices.reversed() {
      let b = sizes[p] * precision.bytes
      if !current.isEmpty && bytes + b > bucketBytes {
        groups.append(current)
        current = []
        bytes = 0
      }
      current.append(p)
      bytes += b
    }
    if !current.isEmpty { groups.append(current) }
    buckets = groups.map { Bucket(members: $0, sizes: sizes, precision: precision) }
    location = [(bucket: Int, slot: Int)](repeating: (0, 0), count: sizes.count)
    for (b, bucket) in buckets.enumerated() {
      for (slot, p) in bucket.members.enumerated() { location[p] = (b, slot) }
    }
    marked = [Bool](repeating: false, count: sizes.count)
  }

  /// Number of buckets.
  public var bucketCount: Int { buckets.count }

  /// Declares the gradient of parameter `index` final for this update (`nil`: none on this rank);
  /// it is copied into its bucket, and every bucket that is now complete, in bucket order, starts
  /// its all-reduce. Throws on a repeated index or a gradient of the wrong size.
  public func markReady(_ index: Int, gradient: [Float]?) throws {
    guard sizes.indices.contains(index), !marked[index] else {
      throw DistributedError.invalid("gradient of parameter \(index) marked ready twice or unknown")
    }
    if let gradient, gradient.count != sizes[index] {
      throw DistributedError.invalid(
        "gradient of parameter \(index) has \(gradient.count) values, expected \(sizes[index])")
    }
    marked[index] = true
    let (b, slot) = location[index]
    let bucket = buckets[b]
    write(gradient, into: bucket, slot: slot)
    bucket.ready += 1
    try progress()
    while nextToStart < buckets.count
      && buckets[nextToStart].ready == buckets[nextToStart].members.count
    {
      try start(buckets[nextToStart])
      nextToStart += 1
    }
  }

  /// A closure for `Tensor.backward(onLeafGradient:)` that marks each of `parameters` (in the order
  /// of `sizes`) ready as soon as backward has completed its gradient, so buckets start reducing
  /// while backward runs. Use it on the last micro-batch of an update; an error it meets is thrown
  /// by `finish`.
  public func readinessHook(_ parameters: [Tensor]) -> (Tensor) -> Void {
    var index: [ObjectIdentifier: Int] = [:]
    for (i, p) in parameters.enumerated() { index[ObjectIdentifier(p)] = i }
    return { [unowned self] leaf in
      guard self.hookError == nil, let i = index[ObjectIdentifier(leaf)], !self.marked[i] else {
        return
      }
      do { try self.markReady(i, gradient: leaf.grad) } catch { self.hookError = error }
    }
  }

  /// Back-propagates `loss` (with cotangent `seed`, e.g. the fp16 loss scale) while reducing:
  /// parameters the graph does not reach are marked ready first (with their current gradient, e.g.
  /// from earlier micro-batches of the update), the others as backward completes them. Call on the
  /// last micro-batch of an update, then `finish`.
  public func backward(_ loss: Tensor, seed: [Float]? = nil, parameters: [Tensor]) throws {
    let reached = Set(loss.reachableLeaves().map(ObjectIdentifier.init))
    for (i, p) in parameters.enumerated() where !marked[i] && !reached.contains(ObjectIdentifier(p))
    {
      try markReady(i, gradient: p.grad)
    }
    loss.backward(seed: seed, onLeafGradient: readinessHook(parameters))
  }

  /// Number of buckets whose reduction has started in this update.
  public var startedBuckets: Int { nextToStart }

  /// Marks every parameter not yet marked (with its current `grad`), waits for every bucket, and
  /// writes the sums back: `grad` = sum over ranks, or nil where no rank had a gradient.
  /// `parameters` are in the order of `sizes`. Afterwards the buckets are ready for the next update.
  public func finish(_ parameters: [Tensor]) throws {
    guard parameters.map(\.count) == sizes else {
      throw DistributedError.invalid("finish: parameters do not match the bucket layout")
    }
    if let error = hookError {
      hookError = nil
      throw error
    }
    for p in parameters.indices where !marked[p] {
      try markReady(p, gradient: parameters[p].grad)
    }
    try communicator.wait(buckets.compactMap(\.pending))
    for bucket in buckets {
      for (slot, p) in bucket.members.enumerated() {
        parameters[p].grad = read(bucket, slot: slot)
      }
      bucket.ready = 0
      bucket.pending = nil
    }
    marked = [Bool](repeating: false, count: sizes.count)
    nextToStart = 0
  }

  /// All-reduces the current gradients of `parameters` without overlap (`finish` with nothing
  /// marked beforehand).
  public func allReduce(_ parameters: [Tensor]) throws {
    try finish(parameters)
  }

  /// Lets MPI advance the reductions already started (Open MPI progresses non-blocking
  /// collectives only inside MPI calls).
  private func progress() throws {
    for b in 0..<nextToStart {
      guard buckets[b].pending != nil else { continue }
      try communicator.test(&buckets[b].pending!)
    }
  }

  private func start(_ bucket: Bucket) throws {
    let count = try communicator.mpiCount(bucket.elementCount, "gradient bucket")
    let (type, op) =
      precision == .float32 ? (cmpi_float(), cmpi_sum()) : (cmpi_float16(), cmpi_float16_sum())
    bucket.pending = try communicator.startAllReduce(
      bucket.buffer, count: count, type: type, op: op,
      "gradient bucket (\(bucket.members.count) "
        + "parameters, \(bucket.elementCount * precision.bytes) bytes)")
  }

  private func write(_ gradient: [Float]?, into bucket: Bucket, slot: Int) {
    let offset = bucket.offsets[slot]
    let n = sizes[bucket.members[slot]]
    let flag = bucket.valueCount + slot
    switch precision {
    case .float32:
      let dst = bucket.buffer.assumingMemoryBound(to: Float.self)
      if let gradient {
        gradient.withUnsafeBufferPointer { (dst + offset).update(from: $0.baseAddress!, count: n) }
      } else {
        (dst + offset).update(repeating: 0, count: n)
      }
      dst[flag] = gradient == nil ? 0 : 1
    case .float16:
      let dst = bucket.buffer.assumingMemoryBound(to: Float16.self)
      if let gradient {
        gradient.withUnsafeBufferPointer { cmpi_float_to_half($0.baseAddress, dst + offset, n) }
      } else {
        (dst + offset).update(repeating: 0, count: n)
      }
      dst[flag] = gradient == nil ? 0 : 1
    }
  }

  private func read(_ bucket: Bucket, slot: Int) -> [Float]? {
    let offset = bucket.offsets[slot]
    let n = sizes[bucket.members[slot]]
    let flag = bucket.valueCount + slot
    switch precision {
    case .float32:
      let src = bucket.buffer.assumingMemoryBound(to: Float.self)
      guard src[flag] > 0 else { return nil }
      return Array(UnsafeBufferPointer(start: src + offset, count: n))
    case .float16:
      let src = bucket.buffer.assumingMemoryBound(to: Float16.self)
      guard src[flag] > 0 else { return nil }
      return [Float](unsafeUninitializedCapacity: n) { out, initialized in
        cmpi_half_to_float(src + offset, out.baseAddress, n)
        initialized = n
      }
    }
  }
}
