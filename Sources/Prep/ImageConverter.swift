import Data

/// LRA Image (DATASETS.md 3.4): CIFAR-10 from `cifar-10-batches-py` (pickle) or
/// `cifar-10-batches-bin` (binary), converted to grey with PIL's formula; train/valid carved
/// 90/10 from the 50,000 training images by the seeded permutation; test = `test_batch`.
enum ImageConverter {
  /// The ten CIFAR-10 label names.
  static let classNames = [
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
  ]

  /// Converts `options.raw`: one of the two batch folders or a folder holding one.
  static func convert(_ options: PrepOptions, progress: Bool) throws -> PrepSummary {
    let (folder, binary) = try locate(options.raw)
    let suffix = binary ? ".bin" : ""
    var digests = SourceDigests()
    let read = { (name: String) in
      let path = RawFiles.join(folder, name + suffix)
      let bytes = try RawFiles.bytes(path)
      digests.add(path, bytes)
      return binary
        ? try CIFARReader.binary(bytes, file: path) : try CIFARReader.pickle(bytes, file: path)
    }
    var rawBytes = 0
    let bar = ProgressMeter("image", total: 6, enabled: progress)
    var train = CIFARReader.Batch(pixels: [], labels: [])
    for index in 1...5 {
      let batch = try read("data_batch_\(index)")
      train.pixels += batch.pixels
      train.labels += batch.labels
      rawBytes += batch.pixels.count + batch.labels.count
      bar.advance()
    }
    let test = try read("test_batch")
    rawBytes += test.pixels.count + test.labels.count
    bar.finish()
    let count = train.labels.count
    let seed = options.splitSeed ?? 42
    let indices = try options.splitIndices.map {
      try SplitIndices(path: $0, count: count, allowTest: false)
    }
    let assignment = try SplitAssignment.carveOut(
      count: count, valid: count - count * 9 / 10, test: 0, seed: seed, indices: indices)
    let writer = try DatasetWriter(path: options.out, compress: options.compress)
    try writer.writeHeader(
      task: "image", inputKind: .pixels, numClasses: 10, maxLength: 1024, splitSeed: seed,
      sourceDescription: "CIFAR-10 \(binary ? "binary" : "python") batches in \(folder)",
      sourceSHA256: digests.text)
    try writePixelAttributes(writer, side: 32, mean: 0.48, std: 0.24)
    try writer.writeClasses(classNames)
    let valid = assignment.filter { $0 == 1 }.count
    let splits = try PixelSplits(
      writer, counts: [count - valid, valid, test.labels.count], rowSize: 1024, numClasses: 10,
      file: folder)
    for index in 0..<count {
      try splits.append(
        grey(train.pixels, index), label: train.labels[index], source: index,
        split: assignment[index])
    }
    for index in 0..<test.labels.count {
      try splits.append(
        grey(test.pixels, index), label: test.labels[index], source: index, split: 2)
    }
    let summaries = try splits.finish()
    try writer.commit()
    return PrepSummary(
      task: "image", path: options.out, splits: summaries, vocabSize: nil, rawBytes: rawBytes)
  }

  /// Writes the pixel attributes of a square image task.
  static func writePixelAttributes(_ writer: DatasetWriter, side: Int, mean: Double, std: Double)
    throws
  {
    try writer.root.setAttribute("image_height", int64: Int64(side))
    try writer.root.setAttribute("image_width", int64: Int64(side))
    try writer.root.setAttribute("pixel_mean", double: mean)
    try writer.root.setAttribute("pixel_std", double: std)
  }

  /// The grey levels of image `index` of planar RGB `pixels`.
  static func grey(_ pixels: [UInt8], _ index: Int) -> [UInt8] {
    let base = index * 3072
    return (0..<1024).map {
      PixelSplits.luma(pixels[base + $0], pixels[base + 1024 + $0], pixels[base + 2048 + $0])
    }
  }

  /// The batch folder under `raw` and whether it is the binary layout.
  private static func locate(_ raw: String) throws -> (String, Bool) {
    for candidate in [
      raw, RawFiles.join(raw, "cifar-10-batches-py"),
      RawFiles.join(raw, "cifar-10-batches-bin"),
    ] {
      if RawFiles.size(RawFiles.join(candidate, "data_batch_1.bin")) > 0 {
        return (candidate, true)
      }
      if RawFiles.size(RawFiles.join(candidate, "data_batch_1")) > 0 { return (candidate, false) }
    }
    throw DataError(
      file: raw, field: "folder",
      "holds neither cifar-10-batches-py/data_batch_1 nor cifar-10-batches-bin/data_batch_1.bin")
  }
}
