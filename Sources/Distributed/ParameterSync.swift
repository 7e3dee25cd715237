import Tensor

extension Communicator {
  /// Copies the values of `tensors` (parameters and buffers, the same shapes on every rank) from
  /// `root` to every rank, in groups of about `chunkBytes`.
  public func broadcastValues(_ tensors: [Tensor], root: Int = 0, chunkBytes: Int = 25 << 20)
    throws
  {
    var start = 0
    while start < tensors.count {
      var end = start
      var bytes = 0
      while end < tensors.count && (end == start || bytes + tensors[end].count * 4 <= chunkBytes) {
        bytes += tensors[end].count * 4
        end += 1
      }
      var flat = tensors[start..<end].flatMap(\.data)
      try broadcast(&flat, root: root)
      var offset = 0
      for t in tensors[start..<end] {
        t.data = Array(flat[offset..<offset + t.count])
        offset += t.count
      }
      start = end
    }
  }

  /// Checks at start-up that every rank runs the same configuration (`configHash`, e.g.
  /// `fnv1a64` of the canonical config text) and the same number of parameters. Throws the same
  /// one-line error on every rank, naming the first rank that differs from rank 0.
  public func verifySameSetup(configHash: UInt64, parameterCount: Int) throws {
    let all = try allGather([Int64(bitPattern: configHash), Int64(parameterCount)])
    let reference = all[0]
    guard let odd = all.firstIndex(where: { $0 != reference }) else { return }
    let hex = { (v: Int64) in "0x" + String(UInt64(bitPattern: v), radix: 16) }
    if all[odd][0] != reference[0] {
      throw DistributedError.setupMismatch(
        "rank \(odd) has config hash \(hex(all[odd][0])) but rank 0 has \(hex(reference[0])): "
          + "every rank must run the same configuration")
    }
    throw DistributedError.setupMismatch(
      "rank \(odd) has \(all[odd][1]) parameters but rank 0 has \(reference[1]): "
        + "every rank must build the same model")
  }
}

/// 64-bit FNV-1a hash of the UTF-8 bytes of `text` (stable across runs and machines).
public func fnv1a64(_ text: String) -> UInt64 {
  var h: UInt64 = 0xcbf2_9ce4_8422_2325
  for byte in text.utf8 {
    h ^= UInt64(byte)
    h = h &* 0x100_0000_01b3
  }
  return h
}
