import Crypto
import Data
import Foundation

/// The `source_sha256` attribute: `name=hex` for each raw file read directly, `;`-separated;
/// SHA-256 from swift-crypto.
struct SourceDigests {
  private var entries: [String] = []

  /// Records the digest of `bytes` read from `path` (named by its last component).
  mutating func add(_ path: String, _ bytes: [UInt8]) {
    append(path, SHA256.hash(data: bytes))
  }

  /// Records the digest of the file at `path`, read in 1 MiB pieces (archives can be many GB).
  mutating func add(file path: String) throws {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw DataError(file: path, field: "file", "cannot be opened")
    }
    defer { try? handle.close() }
    var hasher = SHA256()
    while true {
      let piece: Foundation.Data
      do {
        piece = try handle.read(upToCount: 1 << 20) ?? Foundation.Data()
      } catch {
        throw DataError(file: path, field: "file", "cannot be read")
      }
      if piece.isEmpty { break }
      hasher.update(data: piece)
    }
    append(path, hasher.finalize())
  }

  private mutating func append(_ path: String, _ digest: SHA256.Digest) {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    let hex = digest.map { String(format: "%02x", $0) }.joined()
    entries.append("\(name)=\(hex)")
  }

  /// The attribute text.
  var text: String { entries.joined(separator: ";") }
}
