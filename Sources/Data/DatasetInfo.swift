import HDF5

/// Geometry and load-time normalisation of a pixel dataset: a pixel p becomes
/// `(p/255 − mean)/std`.
public struct ImageInfo: Sendable {
  /// Image rows.
  public let height: Int
  /// Image columns.
  public let width: Int
  /// Mean in units of the 0..1 pixel scale.
  public let mean: Double
  /// Standard deviation in units of the 0..1 pixel scale (> 0).
  public let std: Double

  /// Reads and checks the pixel attributes of the root group.
  init(root: HDF5Group, check: DatasetChecks) throws {
    height = try check.int(root, "image_height")
    width = try check.int(root, "image_width")
    mean = try check.double(root, "pixel_mean")
    std = try check.double(root, "pixel_std")
    guard height > 0, width > 0 else {
      throw check.fail("image_height", "\(height) x \(width) is not a valid image size")
    }
    guard std > 0 else { throw check.fail("pixel_std", "is \(std), must be > 0") }
  }
}

/// Constants of an audio dataset; a sample becomes `(pcm·scale − mean[t])/(std[t] + eps)`.
public struct AudioInfo: Sendable {
  /// Samples per second.
  public let sampleRate: Int
  /// Samples per stored clip.
  public let clipSamples: Int
  /// Multiplier applied to the int16 value before normalising.
  public let scale: Double
  /// Added to the per-position standard deviation.
  public let eps: Double
  /// How the converter split the clips (`mega` or `official`).
  public let splitMode: String
  /// Per-position mean over the training clips of `pcm·scale`.
  public let mean: [Double]
  /// Per-position unbiased standard deviation over the training clips of `pcm·scale`.
  public let std: [Double]

  /// Reads and checks the audio attributes and `/normalization`.
  init(root: HDF5Group, check: DatasetChecks) throws {
    sampleRate = try check.int(root, "sample_rate")
    clipSamples = try check.int(root, "clip_samples")
    scale = try check.double(root, "audio_scale")
    eps = try check.double(root, "norm_eps")
    splitMode = try check.string(root, "split_mode")
    guard clipSamples > 0 else { throw check.fail("clip_samples", "must be > 0") }
    mean = try check.dataset(root, "normalization/mean", rank: 1, integer: false).read()
    std = try check.dataset(root, "normalization/std", rank: 1, integer: false).read()
    for (name, values) in [("mean", mean), ("std", std)] {
      let field = "/normalization/" + name
      guard values.count == clipSamples else {
        throw check.fail(field, "has \(values.count) entries, expected clip_samples \(clipSamples)")
      }
      if let index = values.firstIndex(where: { !$0.isFinite }) {
        throw check.fail(field, "entry \(index) is not finite")
      }
      if name == "std", let index = values.firstIndex(where: { $0 < 0 }) {
        throw check.fail(field, "entry \(index) is negative")
      }
    }
  }
}
