import CZlibSystem
import Foundation
import TestSupport

/// Writers of the real raw formats, for making small inputs on the fly.
enum RawFormatWriters {
  /// A PNG of 8-bit `samples` (`channels` per pixel: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA), row
  /// r filtered with filter type r mod 5, compressed with zlib.
  static func png(width: Int, height: Int, channels: Int, samples: [UInt8]) -> [UInt8] {
    let stride = width * channels
    var filtered: [UInt8] = []
    for row in 0..<height {
      let filter = row % 5
      filtered.append(UInt8(filter))
      for column in 0..<stride {
        let x = Int(samples[row * stride + column])
        let a = column >= channels ? Int(samples[row * stride + column - channels]) : 0
        let b = row > 0 ? Int(samples[(row - 1) * stride + column]) : 0
        let c =
          row > 0 && column >= channels ? Int(samples[(row - 1) * stride + column - channels]) : 0
        var predictor = 0
        switch filter {
        case 1: predictor = a
        case 2: predictor = b
        case 3: predictor = (a + b) / 2
        case 4:
          let p = a + b - c
          let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
          predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
        default: predictor = 0
        }
        filtered.append(UInt8(truncatingIfNeeded: x - predictor))
      }
    }
    var size = compressBound(uLong(filtered.count))
    var compressed = [UInt8](repeating: 0, count: Int(size))
    _ = compress2(&compressed, &size, filtered, uLong(filtered.count), 6)
    compressed.removeSubrange(Int(size)...)
    let colourType: [Int: UInt8] = [1: 0, 2: 4, 3: 2, 4: 6]
    var header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
    header += [8, colourType[channels]!, 0, 0, 0]
    var out: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
    out += chunk("IHDR", header)
    out += chunk("tEXt", Array("Comment\0test".utf8))
    out += chunk("IDAT", Array(compressed.prefix(compressed.count / 2)))
    out += chunk("IDAT", Array(compressed.suffix(from: compressed.count / 2)))
    out += chunk("IEND", [])
    return out
  }

  private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let body = Array(type.utf8) + data
    let crc = UInt32(crc32(0, body, uInt(body.count)))
    return bigEndian(UInt32(data.count)) + body + bigEndian(crc)
  }

  static func bigEndian(_ value: UInt32) -> [UInt8] {
    [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> UInt32($0)) }
  }

  static func littleEndian(_ value: UInt32, bytes: Int = 4) -> [UInt8] {
    (0..<bytes).map { UInt8(truncatingIfNeeded: value >> UInt32(8 * $0)) }
  }

  /// A CIFAR-10 Python-2 batch pickle (protocol 2, as `cPickle.dump` wrote them): a dict with
  /// `batch_label`, `labels`, `data` (numpy uint8 [N, 3072] via `_reconstruct` + BUILD) and
  /// `filenames`.
  static func cifarPickle(pixels: [UInt8], labels: [Int]) -> [UInt8] {
    var out: [UInt8] = [0x80, 0x02, 0x7D, 0x71, 0x01, 0x28]
    out += shortString("batch_label") + shortString("training batch 1 of 5")
    out += shortString("labels") + [0x5D, 0x71, 0x02, 0x28]
    for label in labels { out += [0x4B, UInt8(label)] }
    out += [0x65]
    out += shortString("data")
    out += Array("cnumpy.core.multiarray\n_reconstruct\n".utf8) + [0x71, 0x03]
    out += Array("cnumpy\nndarray\n".utf8) + [0x71, 0x04]
    out += [0x4B, 0x00, 0x85, 0x71, 0x05] + shortString("b") + [0x87, 0x52, 0x71, 0x06]
    out += [0x28, 0x4B, 0x01, 0x4D] + littleEndian(UInt32(labels.count), bytes: 2)
    out += [0x4D] + littleEndian(3072, bytes: 2) + [0x86]
    out += Array("cnumpy\ndtype\n".utf8) + [0x71, 0x07]
    out += shortString("u1") + [0x4B, 0x00, 0x4B, 0x01, 0x87, 0x52, 0x71, 0x08]
    out += [0x28, 0x4B, 0x03] + shortString("|") + [0x4E, 0x4E, 0x4E]
    out += [0x4A, 0xFF, 0xFF, 0xFF, 0xFF, 0x4A, 0xFF, 0xFF, 0xFF, 0xFF, 0x4B, 0x00, 0x74, 0x62]
    out += [0x89, 0x54] + littleEndian(UInt32(pixels.count)) + pixels + [0x74, 0x62]
    out += shortString("filenames") + [0x5D, 0x71, 0x09, 0x28]
    for index in labels.indices { out += shortString("img_\(index).png") }
    out += [0x65, 0x75, 0x2E]
    return out
  }

  private static func shortString(_ text: String) -> [UInt8] {
    let bytes = Array(text.utf8)
    return [0x55, UInt8(bytes.count)] + bytes
  }

  /// A RIFF/WAVE file: PCM, `channels`, `bits`, `rate`, with a LIST chunk before `data`.
  static func wav(
    samples: [Int16], rate: UInt32 = 16_000, channels: UInt16 = 1, bits: UInt16 = 16,
    format: UInt16 = 1, truncateData: Int = 0
  ) -> [UInt8] {
    let data = samples.flatMap { littleEndian(UInt32(UInt16(bitPattern: $0)), bytes: 2) }
    var fmt = littleEndian(UInt32(format), bytes: 2) + littleEndian(UInt32(channels), bytes: 2)
    fmt += littleEndian(rate) + littleEndian(rate * UInt32(channels) * UInt32(bits) / 8)
    fmt +=
      littleEndian(UInt32(channels * bits / 8), bytes: 2) + littleEndian(UInt32(bits), bytes: 2)
    let list = Array("INFOISFT".utf8) + littleEndian(6) + Array("Lavf\0\0".utf8)
    var body = Array("WAVE".utf8)
    body += Array("fmt ".utf8) + littleEndian(UInt32(fmt.count)) + fmt
    body += Array("LIST".utf8) + littleEndian(UInt32(list.count)) + list
    body += Array("data".utf8) + littleEndian(UInt32(data.count)) + data.dropLast(truncateData)
    return Array("RIFF".utf8) + littleEndian(UInt32(body.count)) + body
  }
}

extension RawFormatWriters {
  /// A ZIP archive of `members`, deflated (raw deflate from zlib) or stored.
  static func zip(_ members: [(String, [UInt8])], deflate: Bool = true) -> [UInt8] {
    var out: [UInt8] = []
    var central: [UInt8] = []
    for (name, data) in members {
      var payload = data
      if deflate {
        var size = compressBound(uLong(data.count))
        var compressed = [UInt8](repeating: 0, count: Int(size))
        _ = compress2(&compressed, &size, data, uLong(data.count), 6)
        payload = Array(compressed[2..<(Int(size) - 4)])
      }
      let crc = UInt32(crc32(0, data, uInt(data.count)))
      let nameBytes = Array(name.utf8)
      let method: UInt32 = deflate ? 8 : 0
      var common = littleEndian(20, bytes: 2) + littleEndian(0, bytes: 2)
      common += littleEndian(method, bytes: 2) + littleEndian(0) + littleEndian(crc)
      common += littleEndian(UInt32(payload.count)) + littleEndian(UInt32(data.count))
      common += littleEndian(UInt32(nameBytes.count), bytes: 2) + littleEndian(0, bytes: 2)
      let offset = UInt32(out.count)
      out += littleEndian(0x0403_4B50) + common + nameBytes + payload
      central += littleEndian(0x0201_4B50) + littleEndian(20, bytes: 2) + common
      central += littleEndian(0, bytes: 2) + littleEndian(0, bytes: 2) + littleEndian(0, bytes: 2)
      central += littleEndian(0) + littleEndian(offset) + nameBytes
    }
    let start = UInt32(out.count)
    out += central
    out += littleEndian(0x0605_4B50) + littleEndian(0, bytes: 2) + littleEndian(0, bytes: 2)
    out +=
      littleEndian(UInt32(members.count), bytes: 2) + littleEndian(UInt32(members.count), bytes: 2)
    out += littleEndian(UInt32(central.count)) + littleEndian(start) + littleEndian(0, bytes: 2)
    return out
  }
}

extension RawFormatWriters {
  /// A gzip-compressed ustar archive of `files` (names over 100 bytes get a GNU `L` entry) with
  /// a directory entry first.
  static func tarGz(_ files: [(String, [UInt8])]) -> [UInt8] {
    var tar = TarHeader.block("aclImdb/", size: 0, type: "5")
    for (name, data) in files {
      if name.utf8.count > 99 {
        let long = Array(name.utf8) + [0]
        tar += TarHeader.block("././@LongLink", size: long.count, type: "L")
        tar += long + TarHeader.padding(long.count)
      }
      tar += TarHeader.block(String(name.prefix(99)), size: data.count, type: "0")
      tar += data + TarHeader.padding(data.count)
    }
    tar += [UInt8](repeating: 0, count: 1024)
    return gzip(tar)
  }

  private static func gzip(_ data: [UInt8]) -> [UInt8] {
    var stream = z_stream()
    _ = deflateInit2_(
      &stream, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
      Int32(MemoryLayout<z_stream>.size))
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(data.count))) + 64)
    var input = data
    input.withUnsafeMutableBufferPointer { inBuffer in
      output.withUnsafeMutableBufferPointer { outBuffer in
        stream.next_in = inBuffer.baseAddress
        stream.avail_in = uInt(inBuffer.count)
        stream.next_out = outBuffer.baseAddress
        stream.avail_out = uInt(outBuffer.count)
        _ = deflate(&stream, Z_FINISH)
      }
    }
    let produced = Int(stream.total_out)
    deflateEnd(&stream)
    return Array(output.prefix(produced))
  }
}
