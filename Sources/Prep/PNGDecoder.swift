import CZlibSystem
import Data

/// A decoder of non-interlaced 8-bit PNG files to grey levels as PIL's `convert("L")` gives
/// them: grey as stored, grey+alpha without the alpha, RGB/RGBA by the luma formula.
enum PNGDecoder {
  /// A decoded image: `pixels` row-major, `width × height` grey levels.
  struct Image {
    let width: Int
    let height: Int
    let pixels: [UInt8]
  }

  private static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

  /// Decodes the PNG `bytes` read from `file`.
  static func decode(_ bytes: [UInt8], file: String) throws -> Image {
    let fail = { (reason: String) in DataError(file: file, field: "png", reason) }
    guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
      throw fail("not a PNG file (bad signature)")
    }
    var position = 8
    var header: [UInt8] = []
    var compressed: [UInt8] = []
    var ended = false
    while !ended {
      guard position + 12 <= bytes.count else { throw fail("truncated chunk at byte \(position)") }
      let length = bytes[position..<(position + 4)].reduce(0) { $0 << 8 | Int($1) }
      let typeStart = position + 4
      let dataStart = position + 8
      guard length <= bytes.count - dataStart - 4 else {
        throw fail("truncated chunk at byte \(position)")
      }
      let type = String(decoding: bytes[typeStart..<dataStart], as: UTF8.self)
      let data = bytes[dataStart..<(dataStart + length)]
      let stored = bytes[(dataStart + length)..<(dataStart + length + 4)].reduce(UInt32(0)) {
        $0 << 8 | UInt32($1)
      }
      let computed = bytes.withUnsafeBufferPointer {
        UInt32(crc32(0, $0.baseAddress! + typeStart, UInt32(length + 4)))
      }
      guard stored == computed else { throw fail("CRC mismatch in chunk \(type)") }
      switch type {
      case "IHDR": header = Array(data)
      case "IDAT": compressed += data
      case "IEND": ended = true
      default: break
      }
      position = dataStart + length + 4
    }
    guard header.count == 13 else { throw fail("missing or bad IHDR chunk") }
    let width = header[0..<4].reduce(0) { $0 << 8 | Int($1) }
    let height = header[4..<8].reduce(0) { $0 << 8 | Int($1) }
    let channelsByType: [UInt8: Int] = [0: 1, 2: 3, 4: 2, 6: 4]
    guard header[8] == 8, let channels = channelsByType[header[9]] else {
      throw fail(
        "unsupported bit depth \(header[8]) / colour type \(header[9]) (need 8-bit grey or RGB)")
    }
    guard header[12] == 0 else { throw fail("interlaced PNGs are not supported") }
    guard width > 0, height > 0, width <= 1 << 14, height <= 1 << 14 else {
      throw fail("bad size \(width) x \(height)")
    }
    let stride = width * channels
    let raw = try inflate(compressed, expected: height * (stride + 1), fail: fail)
    let samples = try unfilter(raw, height: height, stride: stride, bpp: channels, fail: fail)
    return Image(width: width, height: height, pixels: grey(samples, channels: channels))
  }

  private static func inflate(
    _ compressed: [UInt8], expected: Int, fail: (String) -> DataError
  ) throws -> [UInt8] {
    var output = [UInt8](repeating: 0, count: expected)
    var size = uLongf(expected)
    let status = output.withUnsafeMutableBufferPointer { out in
      compressed.withUnsafeBufferPointer { input in
        uncompress(out.baseAddress, &size, input.baseAddress, uLong(input.count))
      }
    }
    guard status == Z_OK, Int(size) == expected else {
      throw fail("image data does not inflate to \(expected) bytes (zlib status \(status))")
    }
    return output
  }

  private static func unfilter(
    _ raw: [UInt8], height: Int, stride: Int, bpp: Int, fail: (String) -> DataError
  ) throws -> [UInt8] {
    var out = [UInt8](repeating: 0, count: height * stride)
    for row in 0..<height {
      let filter = raw[row * (stride + 1)]
      let source = row * (stride + 1) + 1
      let base = row * stride
      for column in 0..<stride {
        let x = raw[source + column]
        let a = column >= bpp ? Int(out[base + column - bpp]) : 0
        let b = row > 0 ? Int(out[base - stride + column]) : 0
        let c = row > 0 && column >= bpp ? Int(out[base - stride + column - bpp]) : 0
        let predictor: Int
        switch filter {
        case 0: predictor = 0
        case 1: predictor = a
        case 2: predictor = b
        case 3: predictor = (a + b) / 2
        case 4:
          let p = a + b - c
          let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
          predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
        default: throw fail("bad filter type \(filter) in row \(row)")
        }
        out[base + column] = x &+ UInt8(truncatingIfNeeded: predictor)
      }
    }
    return out
  }

  private static func grey(_ samples: [UInt8], channels: Int) -> [UInt8] {
    switch channels {
    case 1: return samples
    case 2: return stride(from: 0, to: samples.count, by: 2).map { samples[$0] }
    default:
      return stride(from: 0, to: samples.count, by: channels).map {
        PixelSplits.luma(samples[$0], samples[$0 + 1], samples[$0 + 2])
      }
    }
  }
}
