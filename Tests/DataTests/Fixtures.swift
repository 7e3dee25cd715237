import Data
import HDF5

/// Small dataset files written through `DatasetWriter`, with hooks to break them.
enum Fixtures {
  /// A 20-symbol fairseq vocabulary (V = 24).
  static let vocabulary = Vocabulary.fairseq(
    counts: Dictionary(uniqueKeysWithValues: (0..<20).map { ([UInt8(97 + $0)], Int64(100 - $0)) }))

  /// `count` token sequences of varying length (ids 4..<24, ending in eos) and labels 0..<3.
  static func sequences(_ count: Int) -> (sequences: [[Int32]], labels: [Int32]) {
    let sequences: [[Int32]] = (0..<count).map { (i: Int) -> [Int32] in
      let body: [Int32] = (0..<(1 + (i * 7) % 5)).map { (j: Int) in Int32(4 + (i + j) % 20) }
      return body + [DatasetFormat.eosID]
    }
    return (sequences, (0..<count).map { Int32($0 % 3) })
  }

  /// A token-classification file with the same examples in every split.
  static func tokenFile(
    _ path: String, count: Int = 23, retrieval: Bool = false,
    offsets override: [Int64]? = nil, labels labelOverride: [Int32]? = nil,
    labelShape: [Int]? = nil, floatLabels: Bool = false, sequences given: [[Int32]]? = nil,
    tweak: (DatasetWriter) throws -> Void = { _ in }
  ) throws {
    var (sequences, labels) = sequences(count)
    if let given { sequences = given }
    let writer = try DatasetWriter(path: path)
    try writer.writeHeader(
      task: retrieval ? "retrieval" : "listops", inputKind: .tokens, numClasses: 3,
      maxLength: 10, splitSeed: 0, sourceDescription: "fixture", sourceSHA256: "")
    try writer.writeVocabulary(vocabulary, withCLS: true)
    try writer.writeClasses(["0", "1", "2"])
    for name in DatasetFormat.splitNames {
      let group = try writer.split(name)
      try writeSequences(
        writer, group, sequences, tokens: "tokens", offsets: "offsets",
        override: override)
      if retrieval {
        try writeSequences(
          writer, group, sequences.reversed(), tokens: "tokens_b",
          offsets: "offsets_b", override: nil)
      }
      if floatLabels {
        try group.writeDataset("labels", labels.map { Float($0) })
      } else {
        try group.writeDataset("labels", labelOverride ?? labels, shape: labelShape)
      }
      try writer.writeSplitAttributes(group, labels: labels, numClasses: 3, extra: [])
    }
    try tweak(writer)
    try writer.commit()
  }

  private static func writeSequences(
    _ writer: DatasetWriter, _ group: HDF5Group, _ sequences: [[Int32]], tokens: String,
    offsets: String, override: [Int64]?
  ) throws {
    var table: [Int64] = [0]
    for sequence in sequences { table.append(table.last! + Int64(sequence.count)) }
    try writer.writeTokens(
      sequences.flatMap { $0 }, vocabSize: vocabulary.count, name: tokens, in: group)
    try group.writeDataset(offsets, override ?? table)
  }

  /// A pixel file of `count` 2×3 images whose pixel j of image i is (i·6 + j) mod 256.
  static func pixelFile(_ path: String, count: Int = 10, std: Double = 0.5) throws {
    let writer = try DatasetWriter(path: path)
    try writer.writeHeader(
      task: "image", inputKind: .pixels, numClasses: 2, maxLength: 6, splitSeed: 42,
      sourceDescription: "fixture", sourceSHA256: "")
    try writer.root.setAttribute("image_height", int64: 2)
    try writer.root.setAttribute("image_width", int64: 3)
    try writer.root.setAttribute("pixel_mean", double: 0.5)
    try writer.root.setAttribute("pixel_std", double: std)
    try writer.writeClasses(["a", "b"])
    for name in DatasetFormat.splitNames {
      let group = try writer.split(name)
      let pixels = try writer.createRows(
        "pixels", of: UInt8.self, rows: count, rowSize: 6, in: group)
      try pixels.write((0..<(count * 6)).map { UInt8($0 % 256) }, atRow: 0)
      let labels = (0..<count).map { Int32($0 % 2) }
      try group.writeDataset("labels", labels)
      try writer.writeSplitAttributes(group, labels: labels, numClasses: 2, extra: [])
    }
    try writer.commit()
  }

  /// An audio file of `count` clips of 4 samples; sample t of clip i is 1000·i − 100·t.
  static func audioFile(_ path: String, count: Int = 5) throws {
    let writer = try DatasetWriter(path: path)
    try writer.writeHeader(
      task: "sc10", inputKind: .audio, numClasses: 10, maxLength: 4, splitSeed: 0,
      sourceDescription: "fixture", sourceSHA256: "")
    for (name, value) in [("sample_rate", 16_000), ("clip_samples", 4)] {
      try writer.root.setAttribute(name, int64: Int64(value))
    }
    try writer.root.setAttribute("audio_scale", double: 0.5)
    try writer.root.setAttribute("norm_eps", double: 0.25)
    try writer.root.setAttribute("split_mode", string: "mega")
    try writer.root.writeDataset("normalization/mean", [1.0, 2, 3, 4])
    try writer.root.writeDataset("normalization/std", [0.75, 1.75, 2.75, 3.75])
    try writer.writeClasses((0..<10).map { "w\($0)" })
    for name in DatasetFormat.splitNames {
      let group = try writer.split(name)
      let audio = try writer.createRows("audio", of: Int16.self, rows: count, rowSize: 4, in: group)
      try audio.write(
        (0..<count).flatMap { i in (0..<4).map { Int16(1000 * i - 100 * $0) } }, atRow: 0)
      try group.writeDataset("lengths", [Int32](repeating: 4, count: count))
      let labels = (0..<count).map { Int32($0) }
      try group.writeDataset("labels", labels)
      try writer.writeSplitAttributes(group, labels: labels, numClasses: 10, extra: [])
    }
    try writer.commit()
  }

  /// A language-model file whose every split is the lines `lines` (ids, eos appended).
  static func lmFile(_ path: String, lines: [[Int32]]) throws {
    let writer = try DatasetWriter(path: path)
    try writer.writeHeader(
      task: "enwik8", inputKind: .lmTokens, numClasses: 0, maxLength: 1, splitSeed: 0,
      sourceDescription: "fixture", sourceSHA256: "")
    try writer.writeVocabulary(vocabulary, withCLS: false)
    for name in DatasetFormat.splitNames {
      let group = try writer.split(name)
      let withEOS = lines.map { $0 + [DatasetFormat.eosID] }
      var offsets: [Int64] = [0]
      for line in withEOS { offsets.append(offsets.last! + Int64(line.count)) }
      try writer.writeTokens(
        withEOS.flatMap { $0 }, vocabSize: vocabulary.count, name: "tokens", in: group)
      try group.writeDataset("line_offsets", offsets)
    }
    try writer.commit()
  }
}
