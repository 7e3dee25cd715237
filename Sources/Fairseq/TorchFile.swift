import Foundation
import Pickle
import ZIPFoundation

/// A file written by `torch.save`, in either format: the zip archive (`NAME/data.pkl`,
/// `NAME/data/<key>`; ZIP64 for large files) or the legacy stream (magic number, protocol 1001,
/// system information, the data pickle, the storage keys, then each storage's element count and
/// bytes). Only the globals of `allowedGlobals` may appear; nothing named in the file is imported or
/// called.
public struct TorchFile {
  /// The data pickle's value; tensors are `_rebuild_tensor_v2` objects (see `tensor(_:)`).
  public let root: PickleValue
  /// The storages by key.
  public let storages: [String: TorchStorage]

  /// The globals torch and fairseq checkpoints use, and what each may become.
  public static let allowedGlobals: [String: PickleGlobalRole] = {
    var table: [String: PickleGlobalRole] = [
      "collections OrderedDict": .dictionary,
      "torch._utils _rebuild_tensor_v2": .object,
      "torch._utils _rebuild_parameter": .object,
      "argparse Namespace": .object,
    ]
    for dtype in TorchDType.allCases { table[dtype.global] = .name }
    return table
  }()

  /// The legacy stream's magic number (`0x1950a86a20f9469cfc6c`, little-endian).
  static let legacyMagic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

  /// Reads `bytes` (the content of a `.pt` file).
  public init(bytes: [UInt8]) throws {
    if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
      self = try TorchFile(zip: Data(bytes))
    } else if bytes.first == 0x80 {
      self = try TorchFile(legacy: bytes)
    } else {
      throw TorchFileError("neither a zip archive nor a legacy torch stream")
    }
  }

  private init(root: PickleValue, storages: [String: TorchStorage]) {
    self.root = root
    self.storages = storages
  }

  private static func unpickle(_ bytes: [UInt8], from start: Int, what: String) throws -> (
    value: PickleValue, end: Int
  ) {
    do {
      return try Unpickler.load(bytes, from: start, allowed: allowedGlobals)
    } catch let error as PickleError {
      throw TorchFileError("\(what): \(error)")
    }
  }

  private init(zip data: Data) throws {
    let archive: Archive
    do { archive = try Archive(data: data, accessMode: .read) } catch {
      throw TorchFileError("not a readable zip archive (\(error))")
    }
    let entries = Array(archive)
    guard let pickle = entries.first(where: { $0.path.hasSuffix("data.pkl") }) else {
      throw TorchFileError("zip archive without data.pkl")
    }
    let prefix = String(pickle.path.dropLast("data.pkl".count))
    let (root, _) = try TorchFile.unpickle(
      try TorchFile.read(pickle, of: archive), from: 0, what: pickle.path)
    let storages = try TorchFile.storageReferences(root)
    for storage in storages.values {
      let name = prefix + "data/" + storage.key
      guard let entry = entries.first(where: { $0.path == name }) else {
        throw TorchFileError("zip archive has no entry \(name)")
      }
      storage.bytes = try TorchFile.read(entry, of: archive)
      try TorchFile.checkLength(storage, name: name)
    }
    self.init(root: root, storages: storages)
  }

  /// The bytes of a zip entry.
  static func read(_ entry: Entry, of archive: Archive) throws -> [UInt8] {
    var out: [UInt8] = []
    do {
      _ = try archive.extract(entry, skipCRC32: false) { out += $0 }
    } catch {
      throw TorchFileError("zip entry \(entry.path) cannot be read (\(error))")
    }
    return out
  }

  private static func checkLength(_ storage: TorchStorage, name: String) throws {
    let needed = storage.count * storage.dtype.size
    guard storage.bytes.count >= needed else {
      throw TorchFileError(
        "\(name): storage of \(storage.count) \(storage.dtype.rawValue) elements needs \(needed) "
          + "bytes, has \(storage.bytes.count)")
    }
  }

  private init(legacy bytes: [UInt8]) throws {
    let magic = try TorchFile.unpickle(bytes, from: 0, what: "legacy magic number")
    guard case .bigInt(let number) = magic.value, number == TorchFile.legacyMagic else {
      throw TorchFileError("neither a zip archive nor a legacy torch stream (bad magic number)")
    }
    let protocolVersion = try TorchFile.unpickle(bytes, from: magic.end, what: "legacy protocol")
    guard protocolVersion.value.int == 1001 else {
      throw TorchFileError("legacy stream protocol is not 1001")
    }
    let info = try TorchFile.unpickle(bytes, from: protocolVersion.end, what: "legacy sys_info")
    guard info.value.dict?["little_endian"].flatMap({ $0.int }) == 1 else {
      throw TorchFileError("legacy stream is not little-endian")
    }
    let data = try TorchFile.unpickle(bytes, from: info.end, what: "legacy data pickle")
    let keys = try TorchFile.unpickle(bytes, from: data.end, what: "legacy storage keys")
    let storages = try TorchFile.storageReferences(data.value)
    var position = keys.end
    for key in keys.value.items ?? [] {
      guard let name = key.string, let storage = storages[name] else {
        throw TorchFileError("a legacy storage key is not a storage of the data")
      }
      guard bytes.count - position >= 8 else {
        throw TorchFileError("legacy stream truncated before storage '\(name)'")
      }
      let count = bytes[position..<(position + 8)].reversed().reduce(0) { $0 << 8 | Int($1) }
      position += 8
      guard count == storage.count else {
        throw TorchFileError(
          "legacy storage '\(name)' holds \(count) elements, the data says \(storage.count)")
      }
      let length = min(count * storage.dtype.size, bytes.count - position)
      storage.bytes = Array(bytes[position..<(position + length)])
      position += length
      try TorchFile.checkLength(storage, name: "legacy storage '\(name)'")
    }
    if let missing = storages.values.first(where: { $0.bytes.isEmpty && $0.count > 0 }) {
      throw TorchFileError("legacy stream has no bytes for storage '\(missing.key)'")
    }
    self.init(root: data.value, storages: storages)
  }

  /// The storages named by the persistent ids `('storage', torch.XStorage, key, location,
  /// count[, view])` under `root`.
  private static func storageReferences(_ root: PickleValue) throws -> [String: TorchStorage] {
    var found: [String: TorchStorage] = [:]
    var pending = [root]
    var visited = Set<ObjectIdentifier>()
    while let value = pending.popLast() {
      switch value {
      case .persistent(let id):
        let storage = try storageReference(id)
        if let known = found[storage.key] {
          guard known.dtype == storage.dtype, known.count == storage.count else {
            throw TorchFileError("storage '\(storage.key)' is declared twice differently")
          }
        } else {
          found[storage.key] = storage
        }
      case .tuple(let items): pending += items
      case .list(let list):
        if visited.insert(ObjectIdentifier(list)).inserted { pending += list.items }
      case .dict(let dict):
        if visited.insert(ObjectIdentifier(dict)).inserted {
          pending += dict.entries.flatMap { [$0.key, $0.value] }
        }
      case .object(let object):
        if visited.insert(ObjectIdentifier(object)).inserted {
          pending += object.arguments + [object.state]
        }
      default: continue
      }
    }
    return found
  }

  private static func storageReference(_ id: PickleValue) throws -> TorchStorage {
    guard let items = id.items, items.count >= 5, items[0].string == "storage",
      case .global(let type) = items[1], let key = items[2].string, let count = items[4].int,
      (0...(Int.max / 8)).contains(count)
    else {
      throw TorchFileError("a persistent id is not a storage reference")
    }
    guard let dtype = TorchDType.allCases.first(where: { $0.global == type }) else {
      throw TorchFileError("storage type '\(type)' is not supported")
    }
    return TorchStorage(key: key, dtype: dtype, count: count)
  }

  /// The tensor that `value` rebuilds (`_rebuild_tensor_v2(storage, offset, size, stride, …)`,
  /// possibly inside `_rebuild_parameter`); throws naming `field` otherwise.
  public func tensor(_ value: PickleValue, field: String) throws -> TorchTensor {
    guard case .object(let call) = value else {
      throw TorchFileError("\(field) is not a tensor")
    }
    if call.callable == "torch._utils _rebuild_parameter", let data = call.arguments.first {
      return try tensor(data, field: field)
    }
    let a = call.arguments
    guard call.callable == "torch._utils _rebuild_tensor_v2", a.count >= 4,
      case .persistent(let id) = a[0], let key = id.items?.dropFirst(2).first?.string,
      let storage = storages[key], let offset = a[1].int,
      let shape = a[2].items?.compactMap(\.int), shape.count == a[2].items?.count,
      let stride = a[3].items?.compactMap(\.int), stride.count == a[3].items?.count
    else {
      throw TorchFileError("\(field) is not a tensor rebuilt from a storage")
    }
    do {
      return try TorchTensor(storage: storage, offset: offset, shape: shape, stride: stride)
    } catch let error as TorchFileError {
      throw TorchFileError("\(field): \(error)")
    }
  }
}
