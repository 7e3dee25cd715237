/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum TFRecord framing uses.
///
/// Written here because none of the package's dependencies provides it: swift-crypto has hashes
/// and MACs but no CRC-32C, and zlib's `crc32` uses the IEEE polynomial. Table-driven, one byte at
/// a time; event files are small, so this is never a hot path.
public enum CRC32C {
  /// The 256-entry lookup table for the reflected polynomial.
  static let table: [UInt32] = (0..<256).map { index -> UInt32 in
    var value = UInt32(index)
    for _ in 0..<8 {
      value = value & 1 == 1 ? (value >> 1) ^ 0x82F6_3B78 : value >> 1
    }
    return value
  }

  /// The CRC-32C of `bytes`.
  public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32
  where Bytes.Element == UInt8 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
      crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
    }
    return crc ^ 0xFFFF_FFFF
  }

  /// The masked form TFRecord stores: rotated right by 15 bits plus a constant, so that a CRC of
  /// data that itself holds CRCs does not degenerate.
  public static func masked<Bytes: Sequence>(_ bytes: Bytes) -> UInt32
  where Bytes.Element == UInt8 {
    let crc = checksum(bytes)
    return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
  }
}
