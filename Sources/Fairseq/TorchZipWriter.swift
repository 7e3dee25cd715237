import Foundation
import Pickle
import ZIPFoundation

/// Builds a file in torch's zip format (`archive/data.pkl`, `archive/data/<key>`,
/// `archive/version`, `archive/byteorder`; entries stored, ZIP64 where needed), which
/// `torch.load` reads.
struct TorchZipWriter {
  /// The elements of one storage.
  enum Values {
    case float32([Float])
    case int64([Int64])

    var dtype: TorchDType {
      switch self {
      case .float32: return .float32
      case .int64: return .int64
      }
    }

    var count: Int {
      switch self {
      case .float32(let v): return v.count
      case .int64(let v): return v.count
      }
    }

    var bytes: [UInt8] {
      switch self {
      case .float32(let v):
        return v.flatMap { f in (0..<4).map { UInt8(truncatingIfNeeded: f.bitPattern >> (8 * $0)) }
        }
      case .int64(let v):
        return v.flatMap { i in (0..<8).map { UInt8(truncatingIfNeeded: i >> (8 * $0)) } }
      }
    }
  }

  private var storages: [(key: String, bytes: [UInt8])] = []

  /// A new storage holding `values`, and the pickled tensor (contiguous, `shape`) that views it.
  mutating func tensor(_ values: Values, shape: [Int]) -> PickleValue {
    let key = String(storages.count)
    storages.append((key, values.bytes))
    let id = PickleValue.tuple([
      .string("storage"), .global(values.dtype.global), .string(key), .string("cpu"),
      .int(values.count),
    ])
    var stride: [Int] = []
    var step = 1
    for n in shape.reversed() {
      stride.insert(step, at: 0)
      step *= max(n, 1)
    }
    let hooks = PickleValue.object(PickleObject(callable: "collections OrderedDict", arguments: []))
    return .object(
      PickleObject(
        callable: "torch._utils _rebuild_tensor_v2",
        arguments: [
          .persistent(id), .int(0), .tuple(shape.map { .int($0) }), .tuple(stride.map { .int($0) }),
          .bool(false), hooks,
        ]))
  }

  /// Writes the archive with the data pickle of `root` to `path`, atomically (temporary file
  /// beside it, renamed into place; nothing at `path` on an error).
  func write(root: PickleValue, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FairseqCheckpointFile.requireFolder(url.deletingLastPathComponent().path, of: path)
    let nonce = String(UInt64.random(in: 0...UInt64.max), radix: 16)
    let temporary = url.deletingLastPathComponent().appendingPathComponent(
      ".\(url.lastPathComponent).export-\(getpid())-\(nonce)")
    do {
      let archive = try Archive(url: temporary, accessMode: .create)
      var entries: [(String, [UInt8])] = [("archive/data.pkl", PickleWriter.pickle(root))]
      entries.append(("archive/byteorder", Array("little".utf8)))
      entries += storages.map { ("archive/data/\($0.key)", $0.bytes) }
      entries.append(("archive/version", Array("3\n".utf8)))
      for (name, bytes) in entries {
        try archive.addEntry(
          with: name, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .none
        ) { position, size in
          Data(bytes[Int(position)..<(Int(position) + size)])
        }
      }
      guard rename(temporary.path, path) == 0 else {
        throw TorchFileError("\(path): cannot rename the temporary file into place")
      }
    } catch let error as TorchFileError {
      unlink(temporary.path)
      throw error
    } catch {
      unlink(temporary.path)
      throw TorchFileError("\(path): cannot write the zip archive (\(error))")
    }
  }
}
