import Foundation
import XCTest

/// Exit status and captured output of one command.
struct ScriptResult {
  /// The exit status (or 128 + signal when the command was killed).
  let status: Int32
  /// Everything the command wrote to standard output.
  let stdout: String
  /// Everything the command wrote to standard error.
  let stderr: String
  /// The command's peak resident memory in KiB: the largest VmHWM of its process seen while
  /// polling (every 20 ms). Not wait4's figure: a spawned child's starts at the spawning test
  /// process's own peak.
  var peakResidentKiB = 0
}

/// Errors of `ScriptRunner`.
enum ScriptRunnerError: Error, CustomStringConvertible {
  /// The command outlived its deadline and was killed.
  case timedOut([String], TimeInterval)
  /// posix_spawn failed with the given error number.
  case spawnFailed([String], Int32)

  var description: String {
    switch self {
    case .timedOut(let arguments, let seconds):
      return "\(arguments.joined(separator: " ")) did not finish within \(Int(seconds)) s"
    case .spawnFailed(let arguments, let error):
      return "cannot start \(arguments.joined(separator: " ")): error \(error)"
    }
  }
}

/// Runs the repository's shell scripts and system commands with a deadline, so no test can hang.
enum ScriptRunner {
  /// The repository root (this file lives in Tests/CommandTests).
  static let root: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// Runs `arguments` (looked up in PATH) in `directory` (default: the repository root) with the
  /// inherited environment minus SLURM's job variables and Open MPI/PMIx variables (a test that
  /// initialised MPI inside the test process would make every job's mpirun join that singleton
  /// and fail), plus `environment`; kills it after `timeout` seconds. Uses posix_spawn and waitpid rather than Foundation's Process, whose exit
  /// detection waits for daemons the command leaves behind (tools/slurm-start.sh).
  static func run(
    _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 60,
    directory: URL? = nil
  ) throws -> ScriptResult {
    let scratch = FileManager.default.temporaryDirectory
      .appendingPathComponent("seqboat-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outPath = scratch.appendingPathComponent("out").path
    let errPath = scratch.appendingPathComponent("err").path

    var env = ProcessInfo.processInfo.environment.filter { key, _ in
      !["SLURM_", "OMPI_", "PMIX_", "PRTE_", "OPAL_"].contains { key.hasPrefix($0) }
    }
    env.merge(environment) { _, new in new }
    let argv = ["/usr/bin/env", "-C", (directory ?? root).path] + arguments
    let cArgv = argv.map { strdup($0) } + [nil]
    let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for pointer in cArgv + cEnv { free(pointer) } }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
    posix_spawnattr_setpgroup(&attributes, 0)

    var pid = pid_t()
    let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, cArgv, cEnv)
    guard spawned == 0 else { throw ScriptRunnerError.spawnFailed(arguments, spawned) }
    var status: Int32 = 0
    var peak = 0
    let deadline = Date().addingTimeInterval(timeout)
    while waitpid(pid, &status, WNOHANG) == 0 {
      peak = max(peak, highWaterKiB(pid))
      if Date() >= deadline {
        kill(-pid, SIGKILL)
        waitpid(pid, &status, 0)
        throw ScriptRunnerError.timedOut(arguments, timeout)
      }
      usleep(20_000)
    }
    let signal = status & 0x7f
    return ScriptResult(
      status: signal == 0 ? (status >> 8) & 0xff : 128 + signal,
      stdout: String(decoding: try Data(contentsOf: URL(fileURLWithPath: outPath)), as: UTF8.self),
      stderr: String(decoding: try Data(contentsOf: URL(fileURLWithPath: errPath)), as: UTF8.self),
      peakResidentKiB: peak)
  }

  /// The VmHWM (peak resident size) of process `pid` in KiB, 0 when unknown.
  private static func highWaterKiB(_ pid: pid_t) -> Int {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
  }

  /// Every file under `folder` of the repository whose name ends with `suffix`, sorted, as paths
  /// relative to the root.
  static func files(under folder: String, suffix: String) -> [String] {
    let base = root.appendingPathComponent(folder)
    guard let walker = FileManager.default.enumerator(atPath: base.path) else { return [] }
    return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(suffix) }
      .map { "\(folder)/\($0)" }.sorted()
  }

  /// The shell words of `line`, split by bash itself (quotes honoured).
  static func shellWords(_ line: String) throws -> [String] {
    let result = try run([
      "bash", "-c", "eval \"words=($1)\"; printf '%s\\n' \"${words[@]}\"", "_", line,
    ])
    XCTAssertEqual(result.status, 0, result.stderr)
    return result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
      .map(String.init)
  }
}
