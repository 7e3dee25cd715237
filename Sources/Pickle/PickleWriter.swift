/// Writes plain values as a pickle of protocol 2 (the one torch uses for `data.pkl`): a
/// `PickleObject` becomes a call of its global (REDUCE) followed by BUILD of its state, a
/// persistent id becomes BINPERSID. No memo is written, so shared values are written again;
/// torch resolves storages by key, so tensors that share a storage still share it when loaded.
public struct PickleWriter {
  private var bytes: [UInt8] = [0x80, 2]

  /// The pickle of `value`.
  public static func pickle(_ value: PickleValue) -> [UInt8] {
    var writer = PickleWriter()
    writer.write(value)
    writer.bytes.append(0x2E)  // STOP
    return writer.bytes
  }

  private mutating func le(_ value: UInt64, _ count: Int) {
    for k in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(k)))) }
  }

  private mutating func write(_ value: PickleValue) {
    switch value {
    case .none: bytes.append(0x4E)
    case .bool(let b): bytes.append(b ? 0x88 : 0x89)
    case .int(let i):
      if (0..<256).contains(i) {
        bytes += [0x4B, UInt8(i)]
      } else if let small = Int32(exactly: i) {
        bytes.append(0x4A)
        le(UInt64(UInt32(bitPattern: small)), 4)
      } else {
        bytes += [0x8A, 8]
        le(UInt64(bitPattern: Int64(i)), 8)
      }
    case .bigInt(let raw):
      bytes += [0x8B]
      le(UInt64(raw.count), 4)
      bytes += raw
    case .float(let d):
      bytes.append(0x47)
      for k in (0..<8).reversed() {
        bytes.append(UInt8(truncatingIfNeeded: d.bitPattern >> (8 * k)))
      }
    case .string(let s):
      bytes.append(0x58)
      le(UInt64(s.utf8.count), 4)
      bytes += Array(s.utf8)
    case .bytes(let b):
      bytes.append(0x42)
      le(UInt64(b.count), 4)
      bytes += b
    case .tuple(let items):
      bytes.append(0x28)  // MARK
      for item in items { write(item) }
      bytes.append(0x74)  // TUPLE
    case .list(let list):
      bytes += [0x5D, 0x28]  // EMPTY_LIST, MARK
      for item in list.items { write(item) }
      bytes.append(0x65)  // APPENDS
    case .dict(let dict):
      bytes.append(0x7D)  // EMPTY_DICT
      writeItems(dict)
    case .global(let name):
      let parts = name.split(separator: " ", maxSplits: 1)
      bytes.append(0x63)
      bytes += Array("\(parts.first ?? "")\n\(parts.dropFirst().first ?? "")\n".utf8)
    case .object(let object):
      write(.global(object.callable))
      write(.tuple(object.arguments))
      bytes.append(0x52)  // REDUCE
      if case .none = object.state { return }
      write(object.state)
      bytes.append(0x62)  // BUILD
    case .persistent(let id):
      write(id)
      bytes.append(0x51)  // BINPERSID
    }
  }

  private mutating func writeItems(_ dict: PickleDict) {
    guard !dict.entries.isEmpty else { return }
    bytes.append(0x28)  // MARK
    for (key, value) in dict.entries {
      write(key)
      write(value)
    }
    bytes.append(0x75)  // SETITEMS
  }
}
