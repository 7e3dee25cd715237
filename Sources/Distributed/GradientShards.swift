import CMPI
import Tensor

/// The exchanges of sharded optimizer state (ZeRO stage 1, fairseq's `--zero-sharding os`):
/// gradients are summed over ranks so that each rank receives only the slice of the sum that its
/// optimizer updates (`ShardLayout`), and the updated slices are copied back into every rank's
/// parameters.
///
/// Both exchanges go chunk by chunk (at most `chunkElements` values each) straight between the
/// parameters' own arrays and one chunk-sized buffer: the gradient of each chunk of rank r's slice
/// is reduced onto rank r, and each chunk of rank r's updated slice is broadcast from rank r. No
/// rank ever holds a flat copy of every gradient or every parameter, and none holds more than
/// another: a flat buffer, or MPI's reduce-scatter (which Open MPI's non-blocking collectives run
/// as a reduction of the whole buffer onto rank 0 in a temporary copy, then a scatter), would cost
/// the memory that sharding the optimizer state saves, on rank 0 twice. Gradients are released as
/// soon as their last chunk has been reduced.
public final class GradientShards {
  /// The ranks the slices are spread over.
  public let communicator: Communicator
  /// Which rank owns which elements.
  public let layout: ShardLayout
  /// How gradients travel (half floats in fp16 training, summed as `GradientBuckets` sum them).
  public let precision: GradientBuckets.Precision
  /// Values per exchanged chunk.
  public let chunkElements: Int

  /// Exchanges for parameters of element counts `sizes` (parameter order) over `communicator`, in
  /// chunks of about `chunkBytes`.
  public init(
    communicator: Communicator, sizes: [Int], precision: GradientBuckets.Precision = .float32,
    chunkBytes: Int = 16 << 20
  ) {
    self.communicator = communicator
    self.layout = ShardLayout(sizes: sizes, ranks: communicator.size)
    self.precision = precision
    chunkElements = max(1, chunkBytes / precision.bytes)
  }

  /// This rank's slice of the gradients summed over ranks (a parameter without a gradient on a
  /// rank adds zeros), and for every parameter whether some rank had a gradient for it. Every
  /// parameter's `grad` is released (set to nil).
  public func reduceScatter(_ parameters: [Tensor]) throws -> (slice: [Float], present: [Bool]) {
    try checkLayout(parameters)
    var present = parameters.map { $0.grad == nil ? Float(0) : 1 }
    try communicator.allReduce(&present, .max)
    let slice: [Float]
    switch precision {
    case .float32:
      slice = try reduceChunks(
        parameters, as: Float.self, type: cmpi_float(), op: cmpi_sum(),
        pack: { g, dst, n in dst.update(from: g, count: n) },
        unpack: { src, dst, n in dst.update(from: src, count: n) })
    case .float16:
      slice = try reduceChunks(
        parameters, as: Float16.self, type: cmpi_float16(), op: cmpi_float16_sum(),
        pack: { g, dst, n in cmpi_float_to_half(g, dst, n) },
        unpack: { src, dst, n in cmpi_half_to_float(src, dst, n) })
    }
    for p in parameters { p.grad = nil }
    return (slice, present.map { $0 > 0 })
  }

  /// Replaces this rank's slice of the parameters by `slice` and every other rank's slice by that
  /// rank's: afterwards every rank holds the same values.
  public func allGather(_ slice: [Float], into parameters: [Tensor]) throws {
    try checkLayout(parameters)
    let rank = communicator.rank
    guard slice.count == layout.count(rank) else {
      throw DistributedError.invalid(
        "parameter all-gather: rank \(rank) has \(slice.count) values, its slice \(layout.count(rank))"
      )
    }
    let what = "parameter all-gather (\(layout.total) values)"
    let buffer = UnsafeMutablePointer<Float>.allocate(capacity: bufferCapacity)
    defer { buffer.deallocate() }
    let start = layout.start(rank)
    for owner in 0..<layout.ranks {
      for range in chunks(owner) {
        if owner == rank {
          slice.withUnsafeBufferPointer {
            buffer.update(from: $0.baseAddress! + (range.lowerBound - start), count: range.count)
          }
        }
        try communicator.broadcast(
          buffer, count: range.count, type: cmpi_float(), root: owner, what)
        var offset = 0
        for piece in layout.pieces(in: range) {
          parameters[piece.parameter].data.withUnsafeMutableBufferPointer {
            ($0.baseAddress! + piece.offset).update(from: buffer + offset, count: piece.count)
          }
          offset += piece.count
        }
      }
    }
  }

  /// Elements of the chunk buffer: a chunk, or the largest slice when that is smaller.
  private var bufferCapacity: Int { max(1, min(chunkElements, layout.count(0))) }

  /// The flat ranges of at most `chunkElements` values that make up the slice of `rank`.
  private func chunks(_ rank: Int) -> [Range<Int>] {
    let (start, end) = (layout.start(rank), layout.start(rank) + layout.count(rank))
    return stride(from: start, to: end, by: chunkElements).map {
      $0..<min($0 + chunkElements, end)
    }
  }

  /// Every rank's slice, chunk by chunk: the gradients of the chunk (zeros where a parameter has
  /// none) are converted to `T` by `pack(source, destination, count)`, reduced with `op` onto the
  /// slice's rank, which converts the sums back by `unpack` into its slice. A gradient is released
  /// once its last value has been packed.
  private func reduceChunks<T: Numeric>(
    _ parameters: [Tensor], as: T.Type, type: MPI_Datatype?, op: MPI_Op?,
    pack: (UnsafePointer<Float>, UnsafeMutablePointer<T>, Int) -> Void,
    unpack: (UnsafePointer<T>, UnsafeMutablePointer<Float>, Int) -> Void
  ) throws -> [Float] {
    let rank = communicator.rank
    let what = "gradient reduce-scatter (\(layout.total) values, \(precision.rawValue))"
    let buffer = UnsafeMutablePointer<T>.allocate(capacity: bufferCapacity)
    buffer.initialize(repeating: 0, count: bufferCapacity)
    defer { buffer.deallocate() }
    var slice = [Float](repeating: 0, count: layout.count(rank))
    let start = layout.start(rank)
    for owner in 0..<layout.ranks {
      for range in chunks(owner) {
        var offset = 0
        for piece in layout.pieces(in: range) {
          let p = parameters[piece.parameter]
          if let g = p.grad {
            g.withUnsafeBufferPointer {
              pack($0.baseAddress! + piece.offset, buffer + offset, piece.count)
            }
          } else {
            (buffer + offset).update(repeating: 0, count: piece.count)
          }
          if piece.offset + piece.count == p.count { p.grad = nil }
          offset += piece.count
        }
        try communicator.reduce(buffer, count: range.count, type: type, op: op, root: owner, what)
        if owner == rank {
          slice.withUnsafeMutableBufferPointer {
            unpack(buffer, $0.baseAddress! + (range.lowerBound - start), range.count)
          }
        }
      }
    }
    return slice
  }

  private func checkLayout(_ parameters: [Tensor]) throws {
    guard parameters.map(\.count) == layout.sizes else {
      throw DistributedError.invalid("sharded exchange: parameters do not match the slice layout")
    }
  }
}
