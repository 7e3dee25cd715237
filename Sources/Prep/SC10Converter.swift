import Data
import HDF5

/// Speech Commands SC10 (DATASETS.md 3.7): the ten command words, raw int16 PCM; `mega` keeps
/// exactly-one-second clips and splits 70/15/15 stratified by class; `official` follows the
/// list files and zero-pads short clips. Per-position statistics of the training clips.
enum SC10Converter {
  /// The words, in Mega's class order.
  static let words = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
  /// Samples per clip.
  static let clipSamples = 16_000

  /// One clip: its relative path, class and samples.
  struct Clip {
    let path: String
    let label: Int32
    let samples: [Int16]
  }

  /// Converts the extracted Speech Commands folder `options.raw`.
  static func convert(_ options: PrepOptions, progress: Bool) throws -> PrepSummary {
    let official = options.splitMode == "official"
    var paths: [(String, Int32)] = []
    for (label, word) in words.enumerated() {
      let folder = RawFiles.join(options.raw, word)
      for name in try RawFiles.list(folder) where name.hasSuffix(".wav") {
        paths.append((word + "/" + name, Int32(label)))
      }
    }
    paths.sort { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
    var clips: [Clip] = []
    var rawBytes = 0
    let bar = ProgressMeter("sc10", total: paths.count, enabled: progress)
    for (path, label) in paths {
      let full = RawFiles.join(options.raw, path)
      let bytes = try RawFiles.bytes(full)
      rawBytes += bytes.count
      let samples = try WAVReader.samples(bytes, file: full)
      guard samples.count <= clipSamples else {
        throw DataError(
          file: full, field: "data", "\(samples.count) samples, more than \(clipSamples)")
      }
      if official || samples.count == clipSamples {
        clips.append(Clip(path: path, label: label, samples: samples))
      }
      bar.advance()
    }
    bar.finish()
    let seed = options.splitSeed ?? 0
    let assignment =
      official
      ? try officialAssignment(clips, raw: options.raw)
      : try stratifiedAssignment(clips, seed: seed, indices: options.splitIndices)
    return try write(
      clips, assignment: assignment, options: options, seed: seed, rawBytes: rawBytes)
  }

  /// Split of each clip from `validation_list.txt` and `testing_list.txt`.
  static func officialAssignment(_ clips: [Clip], raw: String) throws -> [Int] {
    var listed: [String: Int] = [:]
    for (split, name) in [(1, "validation_list.txt"), (2, "testing_list.txt")] {
      let path = RawFiles.join(raw, name)
      for line in RawFiles.lines(try RawFiles.bytes(path)) where !line.isEmpty {
        listed[RawFiles.text(line)] = split
      }
    }
    return clips.map { listed[$0.path] ?? 0 }
  }

  /// Split totals ⌊0.7N⌋ / ⌊0.5(N − train)⌋ / rest shared over classes by largest remainder,
  /// members per class by the seeded permutation (or explicit `valid N`/`test N` indices).
  static func stratifiedAssignment(_ clips: [Clip], seed: Int64, indices: String?) throws -> [Int] {
    let count = clips.count
    if let indices {
      let chosen = try SplitIndices(path: indices, count: count, allowTest: true)
      var assignment = [Int](repeating: 0, count: count)
      for index in chosen.valid { assignment[index] = 1 }
      for index in chosen.test { assignment[index] = 2 }
      return assignment
    }
    var members = [[Int]](repeating: [], count: words.count)
    for (index, clip) in clips.enumerated() { members[Int(clip.label)].append(index) }
    let sizes = members.map(\.count)
    let train = count * 7 / 10
    let valid = (count - train) / 2
    let trainShares = shares(train, of: sizes)
    let validShares = zip(shares(valid, of: sizes), zip(sizes, trainShares)).map {
      min($0, $1.0 - $1.1)
    }
    var assignment = [Int](repeating: 0, count: count)
    for (label, indices) in members.enumerated() {
      let order = EpochOrder.permutation(
        count: indices.count, seed: UInt64(bitPattern: seed), epoch: UInt64(label),
        purpose: .stratifiedSplit)
      for (rank, position) in order.enumerated() {
        let split =
          rank < trainShares[label] ? 0 : (rank < trainShares[label] + validShares[label] ? 1 : 2)
        assignment[indices[position]] = split
      }
    }
    return assignment
  }

  /// `total` shared out over groups of `sizes` in proportion to their size, by largest
  /// remainder (ties to the lower group).
  static func shares(_ total: Int, of sizes: [Int]) -> [Int] {
    let whole = sizes.reduce(0, +)
    guard whole > 0 else { return sizes.map { _ in 0 } }
    var result = sizes.map { total * $0 / whole }
    let remainders = sizes.map { total * $0 % whole }
    let order = sizes.indices.sorted {
      remainders[$0] != remainders[$1] ? remainders[$0] > remainders[$1] : $0 < $1
    }
    var left = total - result.reduce(0, +)
    for index in order where left > 0 && result[index] < sizes[index] {
      result[index] += 1
      left -= 1
    }
    return result
  }

  private static func write(
    _ clips: [Clip], assignment: [Int], options: PrepOptions, seed: Int64, rawBytes: Int
  ) throws -> PrepSummary {
    let scale = options.unitScale ? 0x1p-15 : 0x1p-30
    let trainClips = clips.indices.filter { assignment[$0] == 0 }
    guard trainClips.count >= 2 else {
      throw DataError(file: options.raw, field: "train", "needs at least 2 clips for statistics")
    }
    let (mean, std) = statistics(trainClips.map { clips[$0].samples }, scale: scale)
    let writer = try DatasetWriter(path: options.out, compress: options.compress)
    try writer.writeHeader(
      task: "sc10", inputKind: .audio, numClasses: words.count, maxLength: clipSamples,
      splitSeed: seed,
      sourceDescription: "Speech Commands WAV files in \(options.raw) (ten words)",
      sourceSHA256: "")
    try writer.root.setAttribute("sample_rate", int64: 16_000)
    try writer.root.setAttribute("clip_samples", int64: Int64(clipSamples))
    try writer.root.setAttribute("audio_scale", double: scale)
    try writer.root.setAttribute("norm_eps", double: 1e-5)
    try writer.root.setAttribute("split_mode", string: options.splitMode)
    try writer.root.writeDataset("normalization/mean", mean)
    try writer.root.writeDataset("normalization/std", std)
    try writer.writeStrings("sources", clips.map { Array($0.path.utf8) })
    try writer.writeClasses(words)
    var summaries: [PrepSummary.Split] = []
    for (split, name) in DatasetFormat.splitNames.enumerated() {
      let members = clips.indices.filter { assignment[$0] == split }
      guard !members.isEmpty else {
        throw DataError(file: options.raw, field: name, "the \(name) split would be empty")
      }
      let group = try writer.split(name)
      let sink = RowSink<Int16>(
        try writer.createRows(
          "audio", of: Int16.self, rows: members.count, rowSize: clipSamples, in: group),
        rowSize: clipSamples)
      for index in members {
        let samples = clips[index].samples
        try sink.append(samples + [Int16](repeating: 0, count: clipSamples - samples.count))
      }
      try sink.flush()
      let labels = members.map { clips[$0].label }
      try group.writeDataset("lengths", members.map { Int32(clips[$0].samples.count) })
      try group.writeDataset("labels", labels)
      try group.writeDataset("source_index", members.map { Int64($0) })
      try writer.writeSplitAttributes(
        group, labels: labels, numClasses: words.count,
        extra: [("max_example_length", clipSamples), ("num_truncated", 0)])
      summaries.append(PrepSummary.Split(name: name, examples: members.count))
    }
    try writer.commit()
    return PrepSummary(
      task: "sc10", path: options.out, splits: summaries, vocabSize: nil, rawBytes: rawBytes)
  }

  /// Per-position mean and unbiased standard deviation of `pcm · scale` over `clips`
  /// (zero-padded to the clip length), in float64, two passes.
  static func statistics(_ clips: [[Int16]], scale: Double) -> ([Double], [Double]) {
    var sum = [Double](repeating: 0, count: clipSamples)
    for clip in clips { for (t, value) in clip.enumerated() { sum[t] += Double(value) } }
    let n = Double(clips.count)
    let mean = sum.map { $0 / n }
    var squares = [Double](repeating: 0, count: clipSamples)
    for clip in clips {
      for t in 0..<clipSamples {
        let deviation = (t < clip.count ? Double(clip[t]) : 0) - mean[t]
        squares[t] += deviation * deviation
      }
    }
    return (mean.map { $0 * scale }, squares.map { ($0 / (n - 1)).squareRoot() * scale })
  }
}
