import Foundation
import Pickle
import ZIPFoundation

/// What `import-fairseq` reads: a `.pt` file in either torch format, or a release zip holding one
/// (or, with `member`, the named one of several) and at most one dictionary.
public struct FairseqSource {
  /// The checkpoint.
  public let checkpoint: TorchFile
  /// The dictionary text found beside it in a release zip, and its name.
  public let dictionary: (name: String, text: String)?

  /// Reads `path`; every error names the file.
  public init(path: String, member: String?) throws {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw TorchFileError("\(path): cannot be read")
    }
    let bytes = [UInt8](data)
    do {
      if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]),
        let archive = try? Archive(data: data, accessMode: .read, pathEncoding: nil),
        !archive.contains(where: { $0.path.hasSuffix("/data.pkl") })
      {
        (checkpoint, dictionary) = try FairseqSource.release(archive, member: member)
      } else {
        if let member { throw TorchFileError("--member \(member): the file is not a release zip") }
        checkpoint = try TorchFile(bytes: bytes)
        dictionary = nil
      }
    } catch let error as TorchFileError {
      throw TorchFileError("\(path): \(error)")
    }
  }

  private static func release(_ archive: Archive, member: String?) throws -> (
    TorchFile, (name: String, text: String)?
  ) {
    let files = archive.filter { $0.type == .file }
    let checkpoints = files.filter { $0.path.hasSuffix(".pt") }
    let chosen: Entry
    if let member {
      guard let entry = checkpoints.first(where: { $0.path == member }) else {
        throw TorchFileError(
          "--member \(member) is not a .pt of the zip (it holds: "
            + checkpoints.map(\.path).joined(separator: ", ") + ")")
      }
      chosen = entry
    } else {
      guard checkpoints.count == 1 else {
        throw TorchFileError(
          checkpoints.isEmpty
            ? "release zip holds no .pt file"
            : "release zip holds \(checkpoints.count) .pt files; choose one with --member ("
              + checkpoints.map(\.path).joined(separator: ", ") + ")")
      }
      chosen = checkpoints[0]
    }
    let dictionaries = files.filter {
      let name = $0.path.split(separator: "/").last ?? ""
      return name.hasPrefix("dict") && name.hasSuffix(".txt")
    }
    guard dictionaries.count <= 1 else {
      throw TorchFileError(
        "release zip holds \(dictionaries.count) dictionaries; give one with --dict")
    }
    let checkpoint: TorchFile
    do { checkpoint = try TorchFile(bytes: try TorchFile.read(chosen, of: archive)) } catch let e
      as TorchFileError
    {
      throw TorchFileError("\(chosen.path): \(e)")
    }
    let dictionary = try dictionaries.first.map {
      ($0.path, String(decoding: try TorchFile.read($0, of: archive), as: UTF8.self))
    }
    return (checkpoint, dictionary)
  }
}
