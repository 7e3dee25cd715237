import Foundation
import TestSupport
import XCTest

/// `--tensorboard-logdir`: the event files, as TensorBoard's own Python reader loads them
/// (tools/tensorboard/read_events.py), hold the `--log-file` figures of every update and
/// validation; only rank 0 writes, and a resumed run adds files without touching the old ones.
final class TensorBoardLogTests: XCTestCase {
  static let trainTags: Set = [
    "loss", "accuracy", "wps", "ups", "wpb", "bsz", "lr", "gnorm", "loss_scale", "wall",
  ]

  func testEventsHoldTheLogFileFiguresAndResumeAddsFiles() throws {
    let f = try TrainingFixture(count: 100)
    let board = f.path("board")
    let extra = [
      "--fp16", "--validate-interval-updates", "3", "--tensorboard-logdir", board,
    ]
    let first = try SeqboatJob.run(
      ranks: 2, f.train(TrainingFixture.mega, "tb", updates: 6, batch: 8, extra))
    XCTAssertEqual(first.exitCode, 0, first.output)
    let firstRuns = try readEvents(board)
    XCTAssertEqual(firstRuns.keys.sorted(), ["train", "valid"])
    try assertSameFigures(firstRuns, f, "tb")
    XCTAssertEqual(try files(firstRuns, "train"), 1, "rank 0 only")
    let trainFiles = try FileManager.default.contentsOfDirectory(atPath: board + "/train")
    let firstFile = try XCTUnwrap(trainFiles.first)
    let before = try Data(contentsOf: URL(fileURLWithPath: board + "/train/" + firstFile))

    let resumed = try SeqboatJob.run(
      ranks: 2, f.train(TrainingFixture.mega, "tb", updates: 9, batch: 8, extra))
    XCTAssertEqual(resumed.exitCode, 0, resumed.output)
    XCTAssertTrue(resumed.output.contains("loaded checkpoint"), resumed.output)
    let runs = try readEvents(board)
    XCTAssertEqual(try files(runs, "train"), 2)
    XCTAssertEqual(try files(runs, "valid"), 2)
    XCTAssertEqual(
      try Data(contentsOf: URL(fileURLWithPath: board + "/train/" + firstFile)), before,
      "the first run's file is left as it was")
    try assertSameFigures(runs, f, "tb")
    XCTAssertEqual(Set(try scalars(runs, "train", "loss").map(\.step)), Set(1...9))
  }

  /// A log folder that cannot be made stops the run at start with one line naming it.
  func testUnusableFolderIsOneLine() throws {
    let f = try TrainingFixture(count: 100)
    let file = f.path("plain-file")
    XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data()))
    let job = try SeqboatJob.run(
      ranks: nil,
      f.train(TrainingFixture.mega, "bad", updates: 2, ["--tensorboard-logdir", file + "/tb"]),
      limit: 60)
    XCTAssertEqual(job.exitCode, 1, job.output)
    XCTAssertTrue(
      job.output.contains("--tensorboard-logdir \(file)/tb: cannot create: Not a directory"),
      job.output)
  }

  /// Every update's and validation's `--log-file` figures are the event files' values at
  /// step = update, in order, within float32 rounding; the tags are fairseq's names.
  func assertSameFigures(_ runs: [String: Any], _ f: TrainingFixture, _ name: String) throws {
    let updates = try f.updates(name)
    XCTAssertEqual(Set(try tags(runs, "train")), Self.trainTags)
    for tag in Self.trainTags {
      try assertSame(
        try scalars(runs, "train", tag), updates.map { ($0["update"] as! Int, $0[tag]) },
        tag: "train/" + tag)
    }
    let evaluations = try f.evaluations(name)
    XCTAssertFalse(evaluations.isEmpty)
    XCTAssertEqual(Set(try tags(runs, "valid")), ["loss", "accuracy", "best_accuracy"])
    for (tag, key) in [("loss", "loss"), ("accuracy", "accuracy"), ("best_accuracy", "best")] {
      try assertSame(
        try scalars(runs, "valid", tag), evaluations.map { ($0["update"] as! Int, $0[key]) },
        tag: "valid/" + tag)
    }
  }

  func assertSame(
    _ events: [(step: Int, value: Double?)], _ records: [(Int, Any?)], tag: String,
    file: StaticString = #filePath, line: UInt = #line
  ) throws {
    XCTAssertEqual(events.map(\.step), records.map(\.0), tag, file: file, line: line)
    for (event, record) in zip(events, records) {
      let expected = record.1 as? Double ?? (record.1 as? Int).map(Double.init)
      guard let expected, let value = event.value else {
        XCTAssertTrue(
          event.value == nil && record.1 is NSNull, "\(tag) at \(event.step)", file: file,
          line: line)
        continue
      }
      XCTAssertEqual(
        value, expected, accuracy: 1e-6 * max(1, abs(expected)), "\(tag) at \(event.step)",
        file: file, line: line)
    }
  }

  func runInfo(_ runs: [String: Any], _ split: String) throws -> [String: Any] {
    try XCTUnwrap(runs[split] as? [String: Any], split)
  }

  /// The number of event files of `split`, each checked to start with the version record.
  func files(_ runs: [String: Any], _ split: String) throws -> Int {
    let versions = try XCTUnwrap(try runInfo(runs, split)["file_versions"] as? [Any], split)
    for version in versions { XCTAssertEqual(version as? String, "brain.Event:2", split) }
    return versions.count
  }

  func tags(_ runs: [String: Any], _ split: String) throws -> [String] {
    try XCTUnwrap(try runInfo(runs, split)["scalars"] as? [String: Any]).keys.sorted()
  }

  func scalars(_ runs: [String: Any], _ split: String, _ tag: String) throws
    -> [(step: Int, value: Double?)]
  {
    let all = try XCTUnwrap(try runInfo(runs, split)["scalars"] as? [String: Any])
    let points = try XCTUnwrap(all[tag] as? [[Any]], "\(split)/\(tag)")
    return points.map { ($0[0] as! Int, $0[1] as? Double) }
  }

  /// tools/tensorboard/read_events.py's JSON for `folder`; fails (never skips) when the script
  /// fails, e.g. without the tensorboard Python package (tools/install-deps.sh installs it).
  func readEvents(_ folder: String) throws -> [String: Any] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let scratch = FileManager.default.temporaryDirectory
      .appendingPathComponent("seqboat-read-events-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let (out, err) = (scratch.appendingPathComponent("out"), scratch.appendingPathComponent("err"))
    for url in [out, err] {
      XCTAssertTrue(FileManager.default.createFile(atPath: url.path, contents: nil))
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "python3", root.appendingPathComponent("tools/tensorboard/read_events.py").path, folder,
    ]
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    let done = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in done.signal() }
    try process.run()
    if done.wait(timeout: .now() + 120) == .timedOut {
      process.terminate()
      done.wait()
      XCTFail("read_events.py did not end within 120 s")
    }
    let errors = String(decoding: try Data(contentsOf: err), as: UTF8.self)
    guard process.terminationStatus == 0 else {
      XCTFail("read_events.py failed (\(process.terminationStatus)): \(errors)")
      throw CocoaError(.fileReadUnknown)
    }
    let json = try JSONSerialization.jsonObject(with: try Data(contentsOf: out))
    return try XCTUnwrap(json as? [String: Any], errors)
  }
}
