import CZlibSystem
import Data

/// Extracts one member of a ZIP archive (stored or deflated, no ZIP64), checking its CRC-32.
enum ZipReader {
  /// The bytes of the member whose name is `name` or ends in `/name`, from the archive `bytes`
  /// read from `path`.
  static func member(_ name: String, of path: String, bytes: [UInt8]) throws -> [UInt8] {
    let fail = { (field: String, reason: String) in DataError(file: path, field: field, reason) }
    func word(_ at: Int, _ count: Int) -> Int {
      (0..<count).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) }
    }
    guard bytes.count >= 22 else { throw fail("zip", "too short for a ZIP archive") }
    var end = bytes.count - 22
    let lowest = max(0, bytes.count - 22 - 65_535)
    while end >= lowest, word(end, 4) != 0x0605_4B50 { end -= 1 }
    guard end >= lowest else { throw fail("zip", "no end-of-central-directory record") }
    let entries = word(end + 10, 2)
    var position = word(end + 16, 4)
    var names: [String] = []
    for _ in 0..<entries {
      guard position + 46 <= bytes.count, word(position, 4) == 0x0201_4B50 else {
        throw fail("zip", "bad central directory entry at byte \(position)")
      }
      let method = word(position + 10, 2)
      let crc = UInt32(word(position + 16, 4))
      let compressedSize = word(position + 20, 4)
      let size = word(position + 24, 4)
      let nameLength = word(position + 28, 2)
      let skip = word(position + 30, 2) + word(position + 32, 2)
      let local = word(position + 42, 4)
      guard position + 46 + nameLength <= bytes.count else {
        throw fail("zip", "central directory truncated")
      }
      let entry = String(
        decoding: bytes[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self)
      names.append(entry)
      position += 46 + nameLength + skip
      guard entry == name || entry.hasSuffix("/" + name) else { continue }
      guard compressedSize != 0xFFFF_FFFF, size != 0xFFFF_FFFF else {
        throw fail(entry, "ZIP64 members are not supported")
      }
      guard local + 30 <= bytes.count, word(local, 4) == 0x0403_4B50 else {
        throw fail(entry, "bad local header")
      }
      let start = local + 30 + word(local + 26, 2) + word(local + 28, 2)
      guard start + compressedSize <= bytes.count else { throw fail(entry, "member truncated") }
      let data = Array(bytes[start..<(start + compressedSize)])
      let output: [UInt8]
      switch method {
      case 0: output = data
      case 8: output = try inflateRaw(data, size: size, fail: { fail(entry, $0) })
      default: throw fail(entry, "compression method \(method) is not stored (0) or deflate (8)")
      }
      let check = output.withUnsafeBufferPointer {
        UInt32(crc32(0, $0.baseAddress, uInt($0.count)))
      }
      guard output.count == size, check == crc else { throw fail(entry, "CRC or size mismatch") }
      return output
    }
    throw fail("zip", "no member \(name) (members: \(names.joined(separator: ", ")))")
  }

  private static func inflateRaw(_ data: [UInt8], size: Int, fail: (String) -> DataError) throws
    -> [UInt8]
  {
    var output = [UInt8](repeating: 0, count: size)
    var stream = z_stream()
    guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
    else { throw fail("cannot start inflate") }
    defer { inflateEnd(&stream) }
    var input = data
    let status = input.withUnsafeMutableBufferPointer { inBuffer in
      output.withUnsafeMutableBufferPointer { outBuffer in
        stream.next_in = inBuffer.baseAddress
        stream.avail_in = uInt(inBuffer.count)
        stream.next_out = outBuffer.baseAddress
        stream.avail_out = uInt(outBuffer.count)
        return inflate(&stream, Z_FINISH)
      }
    }
    guard status == Z_STREAM_END, Int(stream.total_out) == size else {
      throw fail("deflate data is corrupt (zlib status \(status))")
    }
    return output
  }
}
