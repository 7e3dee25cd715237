import Data
import Pickle

/// CIFAR-10 batches in either official layout (DATASETS.md 3.4): images as 3,072 bytes (1,024
/// red, green, blue, each row-major) and labels 0..9.
enum CIFARReader {
  /// One batch file: `count` images of 3,072 bytes each, and their labels.
  struct Batch {
    var pixels: [UInt8]
    var labels: [Int32]
  }

  /// Reads a binary batch (`data_batch_1.bin`, ...): records of 1 label byte + 3,072 pixels.
  static func binary(_ bytes: [UInt8], file path: String) throws -> Batch {
    guard !bytes.isEmpty, bytes.count % 3073 == 0 else {
      throw DataError(
        file: path, field: "size", "\(bytes.count) bytes is not a multiple of 3,073-byte records")
    }
    var batch = Batch(pixels: [], labels: [])
    batch.pixels.reserveCapacity(bytes.count / 3073 * 3072)
    for record in 0..<(bytes.count / 3073) {
      let start = record * 3073
      guard bytes[start] < 10 else {
        throw DataError(file: path, field: "record \(record)", "label \(bytes[start]) is not 0..9")
      }
      batch.labels.append(Int32(bytes[start]))
      batch.pixels += bytes[(start + 1)..<(start + 3073)]
    }
    return batch
  }

  /// The globals a CIFAR-10 Python batch names (numpy's array reconstruction); the unpickler
  /// refuses any other and calls none.
  static let pickleGlobals: [String: PickleGlobalRole] = [
    "numpy.core.multiarray _reconstruct": .object, "numpy ndarray": .name,
    "numpy dtype": .object,
  ]

  /// Reads a Python pickle batch (`data_batch_1`, ...): a dict with `data` (a uint8 numpy array
  /// [N, 3072]) and `labels`.
  static func pickle(_ bytes: [UInt8], file path: String) throws -> Batch {
    let value: PickleValue
    do { value = try Unpickler.load(bytes, allowed: pickleGlobals).value } catch let e
      as PickleError
    {
      throw DataError(file: path, field: "byte \(e.offset)", e.reason)
    }
    guard let dict = value.dict else {
      throw DataError(file: path, field: "pickle", "is not a dict")
    }
    guard case .list(let list)? = dict["labels"] else {
      throw DataError(file: path, field: "labels", "missing or not a list")
    }
    var labels: [Int32] = []
    for (index, item) in list.items.enumerated() {
      guard case .int(let label) = item, (0...9).contains(label) else {
        throw DataError(file: path, field: "labels[\(index)]", "is not an integer 0..9")
      }
      labels.append(Int32(label))
    }
    let pixels = try arrayBytes(dict["data"], path: path)
    guard pixels.count == labels.count * 3072 else {
      throw DataError(
        file: path, field: "data",
        "holds \(pixels.count) bytes, expected \(labels.count) images x 3,072")
    }
    return Batch(pixels: pixels, labels: labels)
  }

  /// The raw bytes of a numpy array rebuilt by `_reconstruct` + BUILD: the last item of its
  /// state tuple `(version, shape, dtype, fortran, bytes)`, checked to be uint8.
  private static func arrayBytes(_ value: PickleValue?, path: String) throws -> [UInt8] {
    guard case .object(let array)? = value, let state = array.state.items, state.count == 5,
      case .bytes(let raw) = state[4]
    else {
      throw DataError(file: path, field: "data", "is not a numpy array")
    }
    if case .object(let dtype) = state[2], case .bytes(let kind)? = dtype.arguments.first,
      !kind.elementsEqual("u1".utf8)
    {
      throw DataError(
        file: path, field: "data", "has dtype \(String(decoding: kind, as: UTF8.self)), expected u1"
      )
    }
    return raw
  }
}
