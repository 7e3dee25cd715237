/// One 512-byte ustar header block, for tests that write tar archives of their own.
public enum TarHeader {
  /// The header of a member `name` (at most 99 bytes) of `size` bytes and tar type `type` ("0"
  /// regular file, "5" directory, "L" GNU long name), mode 0644, checksum filled in.
  public static func block(_ name: String, size: Int, type: Character) -> [UInt8] {
    var block = [UInt8](repeating: 0, count: 512)
    let field = { (offset: Int, bytes: [UInt8]) in
      block.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
    }
    field(0, Array(name.utf8))
    field(100, Array("0000644\0".utf8))
    field(124, Array(octal(size, digits: 11).utf8))
    field(136, Array("00000000000\0".utf8))
    field(156, [type.asciiValue!])
    field(257, Array("ustar\0".utf8) + Array("00".utf8))
    field(148, [UInt8](repeating: 32, count: 8))
    let sum = block.reduce(0) { $0 + Int($1) }
    field(148, Array(octal(sum, digits: 6).utf8) + [0, 32])
    return block
  }

  /// The padding that brings a member of `size` bytes to a whole number of blocks.
  public static func padding(_ size: Int) -> [UInt8] {
    [UInt8](repeating: 0, count: (512 - size % 512) % 512)
  }

  private static func octal(_ value: Int, digits: Int) -> String {
    let text = String(value, radix: 8)
    return String(repeating: "0", count: max(digits - text.count, 0)) + text
  }
}
