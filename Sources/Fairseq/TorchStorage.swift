/// The element types of torch's typed storages (`torch.FloatStorage`, …).
public enum TorchDType: String, CaseIterable, Sendable {
  case float32 = "FloatStorage"
  case float64 = "DoubleStorage"
  case float16 = "HalfStorage"
  case bfloat16 = "BFloat16Storage"
  case int64 = "LongStorage"
  case int32 = "IntStorage"
  case int16 = "ShortStorage"
  case int8 = "CharStorage"
  case uint8 = "ByteStorage"
  case bool = "BoolStorage"

  /// Bytes per element.
  public var size: Int {
    switch self {
    case .float64, .int64: return 8
    case .float32, .int32: return 4
    case .float16, .bfloat16, .int16: return 2
    case .int8, .uint8, .bool: return 1
    }
  }

  /// The `module name` global of the storage class.
  public var global: String { "torch \(rawValue)" }

  /// True for the floating types.
  public var isFloatingPoint: Bool { [.float32, .float64, .float16, .bfloat16].contains(self) }
}

/// One storage of a torch file: its key, element type and raw little-endian bytes. Tensors that
/// share a storage (tied weights) hold the same instance.
public final class TorchStorage {
  /// The key of the storage in the file (`data/<key>` in a zip, a decimal string in a stream).
  public let key: String
  /// Element type.
  public let dtype: TorchDType
  /// Element count.
  public let count: Int
  /// The bytes (`count × dtype.size`).
  public internal(set) var bytes: [UInt8] = []

  init(key: String, dtype: TorchDType, count: Int) {
    self.key = key
    self.dtype = dtype
    self.count = count
  }

  /// Element `i` as a Double.
  func element(_ i: Int) -> Double {
    let base = i * dtype.size
    var raw: UInt64 = 0
    for k in (0..<dtype.size).reversed() { raw = raw << 8 | UInt64(bytes[base + k]) }
    switch dtype {
    case .float32: return Double(Float(bitPattern: UInt32(raw)))
    case .float64: return Double(bitPattern: raw)
    case .float16: return Double(Float(Float16(bitPattern: UInt16(raw))))
    case .bfloat16: return Double(Float(bitPattern: UInt32(raw) << 16))
    case .int64: return Double(Int64(bitPattern: raw))
    case .int32: return Double(Int32(truncatingIfNeeded: raw))
    case .int16: return Double(Int16(truncatingIfNeeded: raw))
    case .int8: return Double(Int8(truncatingIfNeeded: raw))
    case .uint8, .bool: return Double(raw)
    }
  }
}

/// A tensor of a torch file: a view (offset, shape, stride) of a storage.
public struct TorchTensor {
  /// The storage viewed.
  public let storage: TorchStorage
  /// First element, in elements.
  public let offset: Int
  /// Size of each dimension.
  public let shape: [Int]
  /// Stride of each dimension, in elements.
  public let stride: [Int]

  /// A view, checked to lie inside the storage; throws naming the reason.
  init(storage: TorchStorage, offset: Int, shape: [Int], stride: [Int]) throws {
    guard shape.count == stride.count, offset >= 0, shape.allSatisfy({ $0 >= 0 }),
      stride.allSatisfy({ $0 >= 0 })
    else {
      throw TorchFileError(
        "tensor of shape \(shape), stride \(stride), offset \(offset) is invalid")
    }
    var elements = 1
    for n in shape {
      let (product, overflow) = elements.multipliedReportingOverflow(by: n)
      guard !overflow else { throw TorchFileError("tensor of shape \(shape) overflows") }
      elements = product
    }
    if !shape.contains(0) {
      var last = offset
      for (n, s) in zip(shape, stride) {
        let (step, o1) = (n - 1).multipliedReportingOverflow(by: s)
        let (sum, o2) = last.addingReportingOverflow(step)
        guard !o1, !o2 else { throw TorchFileError("tensor of shape \(shape) overflows") }
        last = sum
      }
      guard last < storage.count else {
        throw TorchFileError(
          "tensor of shape \(shape) at offset \(offset) needs element \(last) of storage "
            + "'\(storage.key)', which holds \(storage.count)")
      }
      guard elements <= storage.count else {
        throw TorchFileError(
          "tensor of shape \(shape) repeats elements of storage '\(storage.key)' (not supported)")
      }
    }
    self.storage = storage
    self.offset = offset
    self.shape = shape
    self.stride = stride
  }

  /// Number of elements.
  public var count: Int { shape.reduce(1, *) }

  /// The elements in row-major order, as Doubles.
  public func values() -> [Double] {
    var out: [Double] = []
    out.reserveCapacity(count)
    guard count > 0 else { return out }
    var index = Array(repeating: 0, count: shape.count)
    for _ in 0..<count {
      out.append(storage.element(offset + zip(index, stride).reduce(0) { $0 + $1.0 * $1.1 }))
      var d = shape.count - 1
      while d >= 0 {
        index[d] += 1
        if index[d] < shape[d] { break }
        index[d] = 0
        d -= 1
      }
    }
    return out
  }

  /// The elements as Float (floating tensors only; throws otherwise).
  public func floats() throws -> [Float] {
    guard storage.dtype.isFloatingPoint else {
      throw TorchFileError("tensor of \(storage.dtype.rawValue) where a float tensor is expected")
    }
    return values().map { Float($0) }
  }
}

/// A malformed or unsupported torch file; the description is one line.
public struct TorchFileError: Error, CustomStringConvertible {
  public let description: String

  init(_ description: String) { self.description = description }
}
