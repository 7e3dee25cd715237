import CZlibSystem
import Data

/// Streams the regular files of a gzip-compressed tar archive held in memory (ustar, GNU long
/// names and pax `path` records), passing each wanted file's bytes to a callback.
enum TarGzReader {
  /// Calls `body(name, bytes)` for every regular file whose name `want` accepts, in archive
  /// order; `path` names the archive in errors.
  static func forEachFile(
    in archive: [UInt8], path: String, want: (String) -> Bool,
    _ body: (String, [UInt8]) throws -> Void
  ) throws {
    let fail = { (reason: String) in DataError(file: path, field: "tar.gz", reason) }
    var parser = TarParser(fail: fail)
    var stream = z_stream()
    guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
    else { throw fail("cannot start inflate") }
    defer { inflateEnd(&stream) }
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var input = archive
    try input.withUnsafeMutableBufferPointer { inBuffer in
      stream.next_in = inBuffer.baseAddress
      stream.avail_in = uInt(inBuffer.count)
      var status = Z_OK
      while status != Z_STREAM_END {
        let produced = chunk.withUnsafeMutableBufferPointer { outBuffer -> Int in
          stream.next_out = outBuffer.baseAddress
          stream.avail_out = uInt(outBuffer.count)
          status = inflate(&stream, Z_NO_FLUSH)
          return outBuffer.count - Int(stream.avail_out)
        }
        if stream.avail_in == 0, produced == 0, status == Z_OK || status == Z_BUF_ERROR {
          throw fail("gzip data is truncated")
        }
        guard status == Z_OK || status == Z_STREAM_END else {
          throw fail("gzip data is corrupt (zlib status \(status))")
        }
        try parser.feed(chunk[0..<produced], want: want, body)
        if parser.finished { return }
      }
    }
    guard parser.finished else { throw fail("tar archive is truncated") }
  }
}

/// The tar block state machine behind `TarGzReader`.
private struct TarParser {
  let fail: (String) -> DataError
  private var pending: [UInt8] = []
  private var consumed = 0
  private var longName: String?
  private var remaining = 0
  private var padding = 0
  private var current: String?
  private var content: [UInt8] = []
  private var zeroBlocks = 0
  private(set) var finished = false

  init(fail: @escaping (String) -> DataError) { self.fail = fail }

  mutating func feed(
    _ bytes: ArraySlice<UInt8>, want: (String) -> Bool, _ body: (String, [UInt8]) throws -> Void
  ) throws {
    pending.append(contentsOf: bytes)
    while !finished {
      if remaining > 0 || padding > 0 {
        let available = pending.count - consumed
        guard available > 0 else { break }
        if remaining > 0 {
          let take = min(remaining, available)
          if current != nil || longName == "" {
            content.append(contentsOf: pending[consumed..<(consumed + take)])
          }
          consumed += take
          remaining -= take
        } else {
          let take = min(padding, available)
          consumed += take
          padding -= take
        }
        if remaining == 0, padding == 0 { try finishEntry(body) }
        continue
      }
      guard pending.count - consumed >= 512 else { break }
      let header = Array(pending[consumed..<(consumed + 512)])
      consumed += 512
      try startEntry(header, want: want)
      if remaining == 0, padding == 0, current != nil || longName == "" { try finishEntry(body) }
    }
    if consumed > 1 << 22 || consumed == pending.count {
      pending.removeSubrange(0..<consumed)
      consumed = 0
    }
  }

  private mutating func startEntry(_ header: [UInt8], want: (String) -> Bool) throws {
    if header.allSatisfy({ $0 == 0 }) {
      zeroBlocks += 1
      finished = zeroBlocks >= 2
      return
    }
    zeroBlocks = 0
    let checksum = octal(header[148..<156])
    let computed = header.enumerated().reduce(0) {
      $0 + (148..<156 ~= $1.offset ? 32 : Int($1.element))
    }
    guard checksum == computed else { throw fail("bad tar header checksum") }
    let size =
      header[124] & 0x80 != 0
      ? header[125..<136].reduce(0) { $0 << 8 | Int($1) } : octal(header[124..<136])
    remaining = size
    padding = (512 - size % 512) % 512
    let type = header[156]
    var name = text(header[0..<100])
    let prefix = text(header[345..<500])
    if header[257..<262].elementsEqual(Array("ustar".utf8)), !prefix.isEmpty {
      name = prefix + "/" + name
    }
    if let override = longName, override != "" { name = override }
    if type == UInt8(ascii: "L") || type == UInt8(ascii: "x") {
      longName = type == UInt8(ascii: "L") ? "" : nil
      current = type == UInt8(ascii: "x") ? "\u{0}pax" : nil
      content = []
      return
    }
    longName = nil
    content = []
    let regular = type == 0 || type == UInt8(ascii: "0") || type == UInt8(ascii: "7")
    current = regular && want(name) ? name : nil
  }

  private mutating func finishEntry(_ body: (String, [UInt8]) throws -> Void) throws {
    if longName == "" {
      longName = text(content[...])
    } else if current == "\u{0}pax" {
      longName = paxPath(content)
    } else if let name = current {
      try body(name, content)
    }
    current = nil
    content = []
  }

  /// The `path` record of a pax extended header ("<length> path=<value>\n" lines).
  private func paxPath(_ records: [UInt8]) -> String? {
    for line in records.split(separator: 10) {
      let text = String(decoding: line, as: UTF8.self)
      if let range = text.range(of: " path=") { return String(text[range.upperBound...]) }
    }
    return nil
  }

  private func text(_ bytes: ArraySlice<UInt8>) -> String {
    String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
  }

  private func octal(_ bytes: ArraySlice<UInt8>) -> Int {
    bytes.reduce(0) { value, byte in (48...55).contains(byte) ? value * 8 + Int(byte - 48) : value }
  }
}
