import Foundation
import XCTest

/// A `seqboat` process (directly, or under a real `mpirun -np N --oversubscribe`), its output and
/// exit code: the one way every test target launches the executable.
public final class SeqboatJob {
  /// The launched process (`mpirun` under MPI).
  public let process = Process()
  /// The file that collects standard output and standard error.
  public let log: URL
  private let finished = DispatchSemaphore(value: 0)
  private let start = Date()
  private var ended = false

  /// The `seqboat` executable next to the test bundle (`swift test` builds every product).
  public static func executable() throws -> URL {
    let candidates = [
      Bundle(for: SeqboatJob.self).bundleURL.deletingLastPathComponent(),
      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
    ]
    for dir in candidates {
      let url = dir.appendingPathComponent("seqboat")
      if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    throw XCTSkip("seqboat executable not found next to the test bundle: \(candidates)")
  }

  /// Starts `seqboat arguments…` on `ranks` ranks (nil: one process without mpirun). Open MPI and
  /// PMIx variables of this process are not passed on: a test that initialised MPI inside the
  /// test process (a singleton) would otherwise make every launched job join it and fail.
  /// `environment` adds variables (every rank inherits them).
  public init(ranks: Int?, _ arguments: [String], environment extra: [String: String] = [:])
    throws
  {
    let exe = try SeqboatJob.executable()
    log = FileManager.default.temporaryDirectory
      .appendingPathComponent("seqboat-train-\(UUID().uuidString).log")
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    let handle = try FileHandle(forWritingTo: log)
    if let ranks {
      process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      process.arguments = ["mpirun", "-np", "\(ranks)", "--oversubscribe", exe.path] + arguments
    } else {
      process.executableURL = exe
      process.arguments = arguments
    }
    var environment = ProcessInfo.processInfo.environment.filter { key, _ in
      !["OMPI_", "PMIX_", "PRTE_", "OPAL_"].contains { key.hasPrefix($0) }
    }
    environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    environment["OPENBLAS_NUM_THREADS"] = "1"
    environment.merge(extra) { $1 }
    process.environment = environment
    process.standardOutput = handle
    process.standardError = handle
    let done = finished
    process.terminationHandler = { _ in done.signal() }
    try process.run()
  }

  /// Waits at most `limit` seconds (then kills the job and fails the test).
  @discardableResult
  public func wait(limit: Double = 120) -> SeqboatJob {
    guard !ended else { return self }
    if finished.wait(timeout: .now() + limit) == .timedOut {
      kill(process.processIdentifier, SIGKILL)
      finished.wait()
      XCTFail("\(process.arguments ?? []) did not end within \(limit) s\n\(output)")
    }
    ended = true
    seconds = Date().timeIntervalSince(start)
    return self
  }

  /// Seconds from start to exit.
  public private(set) var seconds = 0.0

  /// Exit status.
  public var exitCode: Int32 { process.terminationStatus }

  /// Everything written to stdout and stderr so far.
  public var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

  /// Runs a job to its end.
  public static func run(
    ranks: Int?, _ arguments: [String], limit: Double = 120, environment: [String: String] = [:]
  ) throws -> SeqboatJob {
    try SeqboatJob(ranks: ranks, arguments, environment: environment).wait(limit: limit)
  }

  /// Runs `seqboat selftest-mpi arguments…` on `ranks` ranks to its end.
  public static func selftest(ranks: Int = 2, _ arguments: [String], limit: Double = 120) throws
    -> SeqboatJob
  {
    try run(ranks: ranks, ["selftest-mpi"] + arguments, limit: limit)
  }

  /// Lines of the output that contain `text`.
  public func lines(containing text: String) -> [Substring] {
    output.split(separator: "\n").filter { $0.contains(text) }
  }

  /// The rank processes of this `mpirun` job: rank → pid (from /proc, by OMPI_COMM_WORLD_RANK).
  public func rankProcesses() -> [Int: Int32] {
    var out: [Int: Int32] = [:]
    let root = Int32(process.processIdentifier)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    for name in names {
      guard let pid = Int32(name), descends(pid, from: root),
        let env = FileManager.default.contents(atPath: "/proc/\(pid)/environ")
      else { continue }
      for entry in env.split(separator: 0) {
        let text = String(decoding: entry, as: UTF8.self)
        if text.hasPrefix("OMPI_COMM_WORLD_RANK="), let r = Int(text.dropFirst(21)) {
          out[r] = pid
        }
      }
    }
    return out
  }

  private func descends(_ pid: Int32, from root: Int32) -> Bool {
    var current = pid
    for _ in 0..<8 {
      guard let stat = try? String(contentsOfFile: "/proc/\(current)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { return false }
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      guard fields.count > 2, let parent = Int32(fields[1]) else { return false }
      if parent == root { return true }
      if parent <= 1 { return false }
      current = parent
    }
    return false
  }

  /// Polls `condition` every 20 ms for at most `limit` seconds.
  public static func waitUntil(limit: Double, _ condition: () -> Bool) -> Bool {
    let end = Date().addingTimeInterval(limit)
    while Date() < end {
      if condition() { return true }
      usleep(20_000)
    }
    return condition()
  }
}
