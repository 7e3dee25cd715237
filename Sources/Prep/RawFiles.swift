import Data
import Foundation

/// Reading raw inputs: whole files as bytes, lines, sorted directory listings.
enum RawFiles {
  /// The bytes of `path`, or an error naming it.
  static func bytes(_ path: String) throws -> [UInt8] {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else {
      let reason = errno == ENOENT ? "does not exist" : "cannot be opened"
      throw DataError(file: path, field: "file", reason)
    }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
      throw DataError(file: path, field: "file", "is not a regular file")
    }
    var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
    var filled = 0
    while filled < bytes.count {
      let got = bytes.withUnsafeMutableBytes {
        read(descriptor, $0.baseAddress! + filled, $0.count - filled)
      }
      guard got > 0 else { throw DataError(file: path, field: "file", "cannot be read") }
      filled += got
    }
    return bytes
  }

  /// Whether `path` is a directory.
  static func isDirectory(_ path: String) -> Bool {
    var flag: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
  }

  /// The names in directory `path`, sorted by byte order.
  static func list(_ path: String) throws -> [String] {
    guard isDirectory(path) else {
      throw DataError(file: path, field: "directory", "does not exist")
    }
    return try FileManager.default.contentsOfDirectory(atPath: path).sorted {
      Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8))
    }
  }

  /// `path` joined with `name`.
  static func join(_ path: String, _ name: String) -> String {
    path.hasSuffix("/") ? path + name : path + "/" + name
  }

  /// The size of the file at `path` in bytes (0 when unknown).
  static func size(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
  }

  /// The lines of `bytes` split on `\n`, each without its `\n` and one trailing `\r`; a final
  /// empty piece after the last `\n` is not a line.
  static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    var lines: [ArraySlice<UInt8>] = []
    var start = 0
    bytes.withUnsafeBufferPointer { buffer in
      for index in 0..<buffer.count where buffer[index] == 10 {
        lines.append(trimCR(bytes[start..<index]))
        start = index + 1
      }
    }
    if start < bytes.count { lines.append(trimCR(bytes[start..<bytes.count])) }
    return lines
  }

  private static func trimCR(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    line.last == 13 ? line.dropLast() : line
  }

  /// `line` split on TAB bytes.
  static func fields(_ line: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
    line.split(separator: 9, omittingEmptySubsequences: false)
  }

  /// The text of `bytes` (UTF-8, invalid sequences replaced).
  static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
}

extension RawFiles {
  /// Whether `path` is an existing regular file (or a link to one).
  static func isFile(_ path: String) -> Bool {
    var flag: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && !flag.boolValue
  }
}
