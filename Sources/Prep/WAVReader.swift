import Data

/// RIFF/WAVE reader for Speech Commands clips (DATASETS.md 3.7): PCM format 1, mono, 16-bit,
/// 16,000 Hz; unknown chunks are skipped; anything else is an error naming the file.
enum WAVReader {
  /// The samples of the WAV `bytes` read from `file`.
  static func samples(_ bytes: [UInt8], file: String) throws -> [Int16] {
    let fail = { (field: String, reason: String) in DataError(file: file, field: field, reason) }
    func word(_ at: Int, _ count: Int) -> Int {
      (0..<count).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) }
    }
    func tag(_ at: Int) -> String { String(decoding: bytes[at..<(at + 4)], as: UTF8.self) }
    guard bytes.count >= 12, tag(0) == "RIFF", tag(8) == "WAVE" else {
      throw fail("header", "not a RIFF/WAVE file")
    }
    var position = 12
    var sawFormat = false
    while position + 8 <= bytes.count {
      let id = tag(position)
      let size = word(position + 4, 4)
      let start = position + 8
      if id == "data" {
        guard sawFormat else { throw fail("data", "comes before the fmt chunk") }
        guard size <= bytes.count - start else {
          throw fail("data", "truncated: \(size) bytes declared, \(bytes.count - start) present")
        }
        guard size % 2 == 0 else { throw fail("data", "odd size \(size) for 16-bit samples") }
        return (0..<(size / 2)).map { Int16(truncatingIfNeeded: word(start + 2 * $0, 2)) }
      }
      guard size <= bytes.count - start else { throw fail(id, "chunk truncated") }
      if id == "fmt " {
        guard size >= 16 else { throw fail("fmt", "chunk too short") }
        let format = word(start, 2)
        let channels = word(start + 2, 2)
        let rate = word(start + 4, 4)
        let bits = word(start + 14, 2)
        guard format == 1 else { throw fail("fmt", "format \(format) is not PCM (1)") }
        guard channels == 1 else { throw fail("fmt", "\(channels) channels, expected mono") }
        guard rate == 16_000 else { throw fail("fmt", "sample rate \(rate), expected 16000") }
        guard bits == 16 else { throw fail("fmt", "\(bits) bits per sample, expected 16") }
        sawFormat = true
      }
      position = start + size + size % 2
    }
    throw fail("data", "missing data chunk")
  }
}
