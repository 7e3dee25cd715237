import Foundation
import HDF5
import Training

/// A seqboat checkpoint imported from fairseq: the `Checkpoint` layout plus the group
/// `/fairseq` with `token_ids` (int64, for each fairseq token id, seqboat's), absent for models
/// without a vocabulary. Written atomically: nothing at the output path on any error.
public enum FairseqCheckpointFile {
  /// Writes `checkpoint` and `tokenIDs` to `path` (temporary file beside it, fsync, rename).
  public static func write(_ checkpoint: Checkpoint, tokenIDs: [Int]?, to path: String) throws {
    try Checkpoint.refuseLink(path)
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    try requireFolder(folder, of: path)
    let nonce = String(UInt64.random(in: 0...UInt64.max), radix: 16)
    let temporary = folder + "/.\(url.lastPathComponent).import-\(getpid())-\(nonce)"
    do {
      try checkpoint.write(to: temporary)
      let file = try HDF5File.open(temporary, writable: true)
      let group = try file.root().createGroup("fairseq")
      try group.setAttribute("note", string: "token_ids[fairseq id] = seqboat id")
      if let tokenIDs { try group.writeDataset("token_ids", tokenIDs.map(Int64.init)) }
      try file.close()
      try sync(temporary)
      guard rename(temporary, path) == 0 else {
        throw TorchFileError("\(path): cannot rename \(temporary) into place")
      }
      try sync(folder)
    } catch {
      unlink(temporary)
      throw error
    }
  }

  /// The stored `token_ids` of the checkpoint at `path` (nil when it has none).
  public static func tokenIDs(_ path: String) throws -> [Int]? {
    let root = try HDF5File.open(path).root()
    guard root.exists("fairseq/token_ids") else { return nil }
    return try root.openDataset("fairseq/token_ids").read(as: Int64.self).map { Int($0) }
  }

  /// Throws naming `path` unless `folder` is an existing directory.
  static func requireFolder(_ folder: String, of path: String) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory),
      isDirectory.boolValue
    else {
      throw TorchFileError("\(path): folder \(folder) does not exist")
    }
  }

  private static func sync(_ path: String) throws {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw TorchFileError("\(path): cannot open to fsync") }
    defer { close(fd) }
    guard fsync(fd) == 0 else { throw TorchFileError("\(path): fsync failed") }
  }
}
