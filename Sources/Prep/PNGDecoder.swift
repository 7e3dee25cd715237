import CPNG
import Data

/// PNG files decoded by libpng to grey levels as PIL's `convert("L")` gives them: grey as
/// stored, RGB (and palette colours) by the luma formula, alpha and transparency dropped.
enum PNGDecoder {
  /// A decoded image: `pixels` row-major, `width × height` grey levels.
  struct Image {
    let width: Int
    let height: Int
    let pixels: [UInt8]
  }

  /// The largest width or height accepted (Path-X images are 128 × 128).
  private static let maxSide: UInt32 = 1 << 14

  /// Decodes the PNG `bytes` read from `file`.
  static func decode(_ bytes: [UInt8], file: String) throws -> Image {
    var image = cpng_image()
    var message = [CChar](repeating: 0, count: 256)
    let status = bytes.withUnsafeBufferPointer { data in
      cpng_decode(data.baseAddress, data.count, maxSide, &image, &message, message.count)
    }
    guard status == 0 else {
      let reason = String(decoding: message.prefix { $0 != 0 }.map(UInt8.init), as: UTF8.self)
      throw DataError(file: file, field: "png", reason)
    }
    defer { cpng_free(&image) }
    let width = Int(image.width)
    let height = Int(image.height)
    let channels = Int(image.channels)
    let samples = UnsafeBufferPointer(start: image.samples, count: width * height * channels)
    let pixels =
      channels == 1
      ? Array(samples)
      : stride(from: 0, to: samples.count, by: channels).map {
        PixelSplits.luma(samples[$0], samples[$0 + 1], samples[$0 + 2])
      }
    return Image(width: width, height: height, pixels: pixels)
  }
}
