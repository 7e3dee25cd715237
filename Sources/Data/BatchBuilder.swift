/// Builds classification batches of a dataset file from example indices, reading only those
/// rows: tokens right-padded with `<pad>`, pixels as `(p/255 − mean)/std`, audio as
/// `(pcm·scale − mean[t])/(std[t] + eps)`, all from the stored attributes unless overridden.
public struct BatchBuilder {
  /// The dataset.
  public let file: DatasetFile
  /// Pixel mean (0..1 scale) used instead of the stored one.
  public let pixelMean: Double?
  /// Pixel standard deviation used instead of the stored one.
  public let pixelStd: Double?

  /// A builder over `file`; `pixelMean`/`pixelStd` override the stored normalisation.
  public init(
    file: DatasetFile, pixelMean: Double? = nil, pixelStd: Double? = nil
  ) throws {
    if let pixelStd, !(pixelStd > 0 && pixelStd.isFinite) {
      throw DataError("pixel std \(pixelStd) must be finite and > 0")
    }
    self.file = file
    self.pixelMean = pixelMean
    self.pixelStd = pixelStd
  }

  /// The batch of `rows` of `split`.
  public func batch(_ split: DatasetSplit, rows: [Int]) throws -> ClassificationBatch {
    let input: SequenceBatch
    var second: SequenceBatch?
    switch file.inputKind {
    case .tokens:
      input = SequenceBatch(padding: try split.sequences(rows: rows))
      if !split.offsetsB.isEmpty {
        second = SequenceBatch(padding: try split.sequences(rows: rows, second: true))
      }
    case .pixels:
      input = try pixels(split, rows: rows)
    case .audio:
      input = try audio(split, rows: rows)
    case .lmTokens:
      throw DataError(file: file.path, field: "input_kind", "language-model data has no classes")
    }
    return ClassificationBatch(
      rows: rows, labels: rows.map { split.labels[$0] }, input: input, secondInput: second)
  }

  private func pixels(_ split: DatasetSplit, rows: [Int]) throws -> SequenceBatch {
    guard let image = file.image else { throw DataError(file: file.path, field: "/", "no image") }
    let mean = Float(pixelMean ?? image.mean)
    let scale = 1 / Float(pixelStd ?? image.std)
    let values = try split.rowValues(rows: rows, as: UInt8.self).map {
      (Float($0) / 255 - mean) * scale
    }
    let length = image.height * image.width
    return SequenceBatch(
      batchSize: rows.count, length: length, lengths: rows.map { _ in length },
      values: .reals(values))
  }

  private func audio(_ split: DatasetSplit, rows: [Int]) throws -> SequenceBatch {
    guard let audio = file.audio else { throw DataError(file: file.path, field: "/", "no audio") }
    let clip = audio.clipSamples
    let shift = audio.mean
    let divisor = audio.std.map { $0 + audio.eps }
    let samples = try split.rowValues(rows: rows, as: Int16.self)
    var values = [Float](repeating: 0, count: samples.count)
    for index in samples.indices {
      let t = index % clip
      values[index] = Float((Double(samples[index]) * audio.scale - shift[t]) / divisor[t])
    }
    return SequenceBatch(
      batchSize: rows.count, length: clip, lengths: rows.map { _ in clip }, values: .reals(values))
  }
}
