import Data
import Foundation
import Prep
import XCTest

final class SC10ConverterTests: XCTestCase {
  let words = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]

  /// Clip k of word w (sorted name order): 16,000 samples s_t = (w·1000 + k·37 + t) mod 2000
  /// − 1000, except clip 0 of each word, which is 8,000 samples long.
  private func writeTree(_ dir: TemporaryDirectory, perWord: Int = 10) throws {
    for (w, word) in words.enumerated() {
      for k in 0..<perWord {
        let length = k == 0 ? 8000 : 16_000
        let samples = (0..<length).map { Int16((w * 1000 + k * 37 + $0) % 2000 - 1000) }
        try dir.write("sc/\(word)/spk\(k)_nohash_0.wav", RawFormatWriters.wav(samples: samples))
      }
    }
    try dir.write("sc/bed/x_nohash_0.wav", [1, 2, 3])
    try dir.write("sc/_background_noise_/README.md", text: "noise")
    try dir.write("sc/validation_list.txt", text: "yes/spk1_nohash_0.wav\nno/spk2_nohash_0.wav\n")
    try dir.write("sc/testing_list.txt", text: "up/spk2_nohash_0.wav\n")
  }

  func testMegaSplitIsStratifiedAndNormalised() throws {
    let dir = try TemporaryDirectory()
    try writeTree(dir)
    let options = PrepOptions(raw: dir.path("sc"), out: dir.path("sc10.h5"))
    let summary = try PrepTask.sc10.convert(options, progress: false)
    // 90 full clips: train ⌊63⌋, valid ⌊13.5⌋ = 13, test 14.
    XCTAssertEqual(summary.splits.map(\.examples), [63, 13, 14])
    let file = try DatasetFile.open(dir.path("sc10.h5"))
    XCTAssertEqual(file.audio?.scale, 0x1p-30)
    let train = try file.split("train")
    let counts = try train.group.int64ArrayAttribute("class_counts")
    XCTAssertEqual(counts, [7, 7, 7, 6, 6, 6, 6, 6, 6, 6])
    let sources = try DatasetFile.strings(file.root, "sources")
    XCTAssertEqual(sources.count, 90)
    XCTAssertEqual(sources, sources.sorted())
    let trainSources = try train.group.openDataset("source_index").read(as: Int64.self)
    XCTAssertEqual(trainSources, trainSources.sorted())
    // Statistics over the train clips, recomputed here.
    var clips: [[Double]] = []
    for index in trainSources {
      let path = sources[Int(index)]
      let word = words.firstIndex(of: String(path.split(separator: "/")[0]))!
      let k = Int(path.split(separator: "/")[1].dropFirst(3).prefix { $0 != "_" })!
      clips.append((0..<16_000).map { Double((word * 1000 + k * 37 + $0) % 2000 - 1000) })
    }
    for t in [0, 7, 15_999] {
      let values = clips.map { $0[t] }
      let n = Double(values.count)
      let mean: Double = values.reduce(0, +) / n
      let squares: [Double] = values.map { ($0 - mean) * ($0 - mean) }
      let variance: Double = squares.reduce(0, +) / (n - 1)
      XCTAssertEqual(file.audio!.mean[t], mean * 0x1p-30, accuracy: 1e-18)
      XCTAssertEqual(file.audio!.std[t], variance.squareRoot() * 0x1p-30, accuracy: 1e-18)
    }
    let batch = try BatchBuilder(file: file).batch(train, rows: [0])
    guard case .reals(let values) = batch.input.values else { return XCTFail("not reals") }
    let expected = (clips[0][5] * 0x1p-30 - file.audio!.mean[5]) / (file.audio!.std[5] + 1e-5)
    XCTAssertEqual(Double(values[5]), expected, accuracy: 1e-5 * abs(expected))
  }

  func testOfficialSplitPadsShortClips() throws {
    let dir = try TemporaryDirectory()
    try writeTree(dir, perWord: 3)
    var options = PrepOptions(raw: dir.path("sc"), out: dir.path("sc10.h5"))
    options.splitMode = "official"
    options.unitScale = true
    let summary = try PrepTask.sc10.convert(options, progress: false)
    XCTAssertEqual(summary.splits.map(\.examples), [27, 2, 1])
    let file = try DatasetFile.open(dir.path("sc10.h5"))
    XCTAssertEqual(file.audio?.scale, 0x1p-15)
    XCTAssertEqual(try file.root.stringAttribute("split_mode"), "official")
    let train = try file.split("train")
    let sources = try DatasetFile.strings(file.root, "sources")
    let trainSources = try train.group.openDataset("source_index").read(as: Int64.self)
    let short = trainSources.firstIndex { sources[Int($0)] == "down/spk0_nohash_0.wav" }!
    XCTAssertEqual(train.lengths[short], 8000)
    let row = try train.rowValues(rows: [short])
    XCTAssertEqual(row[7999], Float((3000 + 7999) % 2000 - 1000))
    XCTAssertEqual(row[8000], 0)
    XCTAssertEqual(try file.split("test").labels, [2])
  }

  func testBadWAVFiles() throws {
    let dir = try TemporaryDirectory()
    try writeTree(dir, perWord: 3)
    let options = PrepOptions(raw: dir.path("sc"), out: dir.path("sc10.h5"))
    let path = try dir.write(
      "sc/go/spk1_nohash_0.wav", RawFormatWriters.wav(samples: [1, 2, 3, 4], truncateData: 2))
    try assertPrepFails(
      .sc10, options, "\(path): data: truncated: 8 bytes declared, 6 present", in: dir)
    try dir.write(
      "sc/go/spk1_nohash_0.wav", RawFormatWriters.wav(samples: [1, 2, 3, 4], channels: 2))
    try assertPrepFails(.sc10, options, "\(path): fmt: 2 channels, expected mono", in: dir)
    try dir.write("sc/go/spk1_nohash_0.wav", RawFormatWriters.wav(samples: [1, 2], rate: 8000))
    try assertPrepFails(.sc10, options, "\(path): fmt: sample rate 8000, expected 16000", in: dir)
    try dir.write("sc/go/spk1_nohash_0.wav", RawFormatWriters.wav(samples: [1, 2], bits: 8))
    try assertPrepFails(.sc10, options, "\(path): fmt: 8 bits per sample, expected 16", in: dir)
    try dir.write("sc/go/spk1_nohash_0.wav", RawFormatWriters.wav(samples: [1, 2], format: 3))
    try assertPrepFails(.sc10, options, "\(path): fmt: format 3 is not PCM (1)", in: dir)
  }
}
