import Foundation

/// TFRecord framing, the container of TensorBoard event files: each record is its length
/// (little-endian UInt64), the masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C
/// of the data (both checksums little-endian UInt32).
public enum TFRecord {
  /// `data` framed as one record.
  public static func frame(_ data: Data) -> Data {
    let length = littleEndianBytes(UInt64(data.count))
    var record = Data(capacity: data.count + 16)
    record.append(contentsOf: length)
    record.append(contentsOf: littleEndianBytes(CRC32C.masked(length)))
    record.append(data)
    record.append(contentsOf: littleEndianBytes(CRC32C.masked(data)))
    return record
  }

  /// The bytes of `value`, least significant first.
  static func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0..<T.bitWidth / 8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
  }
}
