import CMPI
import Tensor

/// The exchanges of sharded optimizer state (ZeRO stage 1, fairseq's `--zero-sharding os`):
/// gradients are summed over ranks with a reduce-scatter, so each rank receives only the slice of
/// the sum that its optimizer updates (`ShardLayout`), and the updated slices are all-gathered back
/// into every rank's parameters.
///
/// Both exchanges go through one flat buffer of every parameter's values, allocated for the
/// exchange and freed after it: between updates a rank holds no flat copy of the gradients (the
/// all-reduce's `GradientBuckets` keep one), and the gradients are released as they are copied.
public final class GradientShards {
  /// The ranks the slices are spread over.
  public let communicator: Communicator
  /// Which rank owns which elements.
  public let layout: ShardLayout
  /// How gradients travel (half floats in fp16 training, summed as `GradientBuckets` sum them).
  public let precision: GradientBuckets.Precision

  /// Exchanges for parameters of element counts `sizes` (parameter order) over `communicator`.
  public init(
    communicator: Communicator, sizes: [Int], precision: GradientBuckets.Precision = .float32
  ) {
    self.communicator = communicator
    self.layout = ShardLayout(sizes: sizes, ranks: communicator.size)
    self.precision = precision
  }

  /// This rank's slice of the gradients summed over ranks (a parameter without a gradient on a
  /// rank adds zeros), and for every parameter whether some rank had a gradient for it. Every
  /// parameter's `grad` is released (set to nil) once copied.
  public func reduceScatter(_ parameters: [Tensor]) throws -> (slice: [Float], present: [Bool]) {
    try checkLayout(parameters)
    var present = parameters.map { $0.grad == nil ? Float(0) : 1 }
    try communicator.allReduce(&present, .max)
    let (total, mine) = (layout.total, layout.count(communicator.rank))
    let what = "gradient reduce-scatter (\(total) values, \(precision.rawValue))"
    switch precision {
    case .float32:
      var flat = flatten(parameters, as: Float.self) { g, dst, n in
        dst.update(from: g, count: n)
      }
      try flat.withUnsafeMutableBytes { bytes in
        try communicator.reduceScatter(
          bytes.baseAddress, length: total, counts: layout.counts, type: cmpi_float(),
          op: cmpi_sum(), what)
      }
      return (Array(flat[0..<mine]), present.map { $0 > 0 })
    case .float16:
      var flat = flatten(parameters, as: Float16.self) { g, dst, n in
        cmpi_float_to_half(g, dst, n)
      }
      try flat.withUnsafeMutableBytes { bytes in
        try communicator.reduceScatter(
          bytes.baseAddress, length: total, counts: layout.counts, type: cmpi_float16(),
          op: cmpi_float16_sum(), what)
      }
      let slice = [Float](unsafeUninitializedCapacity: mine) { out, initialized in
        flat.withUnsafeBufferPointer { cmpi_half_to_float($0.baseAddress, out.baseAddress, mine) }
        initialized = mine
      }
      return (slice, present.map { $0 > 0 })
    }
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
    let (total, start) = (layout.total, layout.start(rank))
    var flat = [Float](repeating: 0, count: total)
    flat.replaceSubrange(start..<start + slice.count, with: slice)
    try flat.withUnsafeMutableBytes { bytes in
      try communicator.allGather(
        bytes.baseAddress, length: total, counts: layout.counts, type: cmpi_float(),
        "parameter all-gather (\(total) values)")
    }
    var offset = 0
    flat.withUnsafeBufferPointer { src in
      for p in parameters where p.count > 0 {
        let n = p.count
        p.data.withUnsafeMutableBufferPointer {
          $0.baseAddress!.update(from: src.baseAddress! + offset, count: n)
        }
        offset += n
      }
    }
  }

  private func checkLayout(_ parameters: [Tensor]) throws {
    guard parameters.map(\.count) == layout.sizes else {
      throw DistributedError.invalid("sharded exchange: parameters do not match the slice layout")
    }
  }

  /// Every parameter's gradient (zeros where it has none) back to back as `T`, each converted by
  /// `copy(source, destination, count)`; each gradient is released once copied.
  private func flatten<T: Numeric>(
    _ parameters: [Tensor], as: T.Type,
    _ copy: (UnsafePointer<Float>, UnsafeMutablePointer<T>, Int) -> Void
  ) -> [T] {
    [T](unsafeUninitializedCapacity: layout.total) { out, initialized in
      var offset = 0
      for p in parameters {
        let n = p.count
        if n == 0 {
          p.grad = nil
          continue
        }
        if let g = p.grad {
          g.withUnsafeBufferPointer { copy($0.baseAddress!, out.baseAddress! + offset, n) }
        } else {
          (out.baseAddress! + offset).initialize(repeating: 0, count: n)
        }
        p.grad = nil
        offset += n
      }
      initialized = layout.total
    }
  }
}
