import Foundation
import XCTest

/// Runs `seqboat selftest-mpi …` under a real `mpirun -np N --oversubscribe` and captures the result.
struct MPIJob {
  let exitCode: Int32
  let output: String
  let seconds: Double

  /// The `seqboat` executable next to the test bundle (`swift test` builds every product).
  static func executable() throws -> URL {
    let candidates = [
      Bundle(for: MPIJobAnchor.self).bundleURL.deletingLastPathComponent(),
      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
    ]
    for dir in candidates {
      let url = dir.appendingPathComponent("seqboat")
      if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    throw XCTSkip("seqboat executable not found next to the test bundle: \(candidates)")
  }

  /// Launches the job and waits at most `limit` seconds (then terminates it and fails the test).
  static func run(ranks: Int = 2, _ arguments: [String], limit: Double = 120) throws -> MPIJob {
    let exe = try executable()
    let log = FileManager.default.temporaryDirectory
      .appendingPathComponent("seqboat-mpi-\(UUID().uuidString).log")
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: log) }
    let handle = try FileHandle(forWritingTo: log)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments =
      ["mpirun", "-np", "\(ranks)", "--oversubscribe", exe.path, "selftest-mpi"] + arguments
    var environment = ProcessInfo.processInfo.environment.filter { key, _ in
      !["OMPI_", "PMIX_", "PRTE_", "OPAL_"].contains { key.hasPrefix($0) }
    }
    environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    environment["OPENBLAS_NUM_THREADS"] = "1"
    process.environment = environment
    process.standardOutput = handle
    process.standardError = handle
    let finished = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in finished.signal() }
    let start = Date()
    try process.run()
    if finished.wait(timeout: .now() + limit) == .timedOut {
      process.terminate()
      finished.wait()
      XCTFail("mpirun \(arguments) did not end within \(limit) s")
    }
    try handle.close()
    let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    return MPIJob(
      exitCode: process.terminationStatus, output: output,
      seconds: Date().timeIntervalSince(start))
  }

  /// Lines of the output that contain `text`.
  func lines(containing text: String) -> [Substring] {
    output.split(separator: "\n").filter { $0.contains(text) }
  }
}

/// A class to locate the test bundle with `Bundle(for:)`.
final class MPIJobAnchor {}
