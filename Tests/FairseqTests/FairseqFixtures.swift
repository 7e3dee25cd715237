import Foundation
import XCTest
import ZIPFoundation

/// The fairseq fixtures kept in `Tests/Fixtures/fairseq` (see its README) and scratch space.
enum FairseqFixtures {
  static let names = ["mega_lra_listops", "mega_lm_adaptive"]

  static var directory: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/fairseq")
  }

  static func path(_ file: String) -> String { directory.appendingPathComponent(file).path }

  /// A fresh scratch folder for `test`, removed when it ends.
  static func scratch(for test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("seqboat-fairseq-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
  }

  /// Copies the zip at `source` to `target` with every entry's bytes passed through `edit`
  /// (entry path, bytes → new bytes).
  static func rewriteZip(
    _ source: String, to target: URL, edit: (String, Data) -> Data = { $1 }
  ) throws {
    let input = try Archive(url: URL(fileURLWithPath: source), accessMode: .read)
    let output = try Archive(url: target, accessMode: .create)
    for entry in input {
      var data = Data()
      _ = try input.extract(entry) { data.append($0) }
      let edited = edit(entry.path, data)
      try output.addEntry(
        with: entry.path, type: .file, uncompressedSize: Int64(edited.count),
        compressionMethod: .none
      ) { position, size in edited.subdata(in: Int(position)..<(Int(position) + size)) }
    }
  }

  /// A zip at `target` holding `files` (name in the zip → file to copy).
  static func zip(_ files: [(String, String)], to target: URL) throws {
    let output = try Archive(url: target, accessMode: .create)
    for (name, path) in files {
      let data = try Data(contentsOf: URL(fileURLWithPath: path))
      try output.addEntry(
        with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .none
      ) { position, size in data.subdata(in: Int(position)..<(Int(position) + size)) }
    }
  }

  /// `data` with the pickled unicode string `old` replaced by `new` (same length) everywhere.
  static func replacingString(_ old: String, with new: String, in data: Data) -> Data {
    func pickled(_ s: String) -> [UInt8] {
      let bytes = Array(s.utf8)
      let n = UInt32(bytes.count)
      return [0x58] + (0..<4).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) } + bytes
    }
    let (from, to) = (pickled(old), pickled(new))
    var bytes = [UInt8](data)
    var i = 0
    while i + from.count <= bytes.count {
      if Array(bytes[i..<(i + from.count)]) == from {
        bytes.replaceSubrange(i..<(i + from.count), with: to)
        i += to.count
      } else {
        i += 1
      }
    }
    return Data(bytes)
  }
}
