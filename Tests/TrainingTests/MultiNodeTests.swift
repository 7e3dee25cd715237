import Foundation
import TestSupport
import Training
import XCTest

/// Training across "nodes" (issue 18): each node is a network namespace on a private bridge
/// (tools/netns-nodes.sh), one rank per node, the ranks talking over Open MPI's TCP transport;
/// `mpirun` reaches the nodes through tools/netns-agent.sh as its rsh agent, with the fault
/// settings of jobs/launch.sh. Root only (skipped otherwise).
final class MultiNodeTests: XCTestCase {
  /// The repository root (this file lives in Tests/TrainingTests).
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  let updates = 12

  /// Runs `arguments` in the repository root; returns the exit status and standard output, or
  /// fails after `limit` seconds.
  func shell(_ arguments: [String], limit: Double = 60) throws -> (status: Int32, stdout: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.currentDirectoryURL = MultiNodeTests.root
    let output = FileManager.default.temporaryDirectory
      .appendingPathComponent("seqboat-shell-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: output) }
    process.standardOutput = try FileHandle(forWritingTo: output)
    let done = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in done.signal() }
    try process.run()
    if done.wait(timeout: .now() + limit) == .timedOut {
      kill(process.processIdentifier, SIGKILL)
      done.wait()
      XCTFail("\(arguments) did not end within \(limit) s")
    }
    let text = String(decoding: try Data(contentsOf: output), as: UTF8.self)
    return (process.terminationStatus, text)
  }

  /// Starts `count` nodes (removed, with everything running in them, when the test ends, passed or
  /// failed) and returns the environment under which `mpirun -np count` puts rank i on node i + 1.
  func startNodes(_ count: Int) throws -> [String: String] {
    guard getuid() == 0 else { throw XCTSkip("network namespaces need root") }
    guard (try? shell(["ip", "netns", "list"]))?.status == 0 else {
      throw XCTSkip("`ip netns` is not available")
    }
    addTeardownBlock { [self] in
      XCTAssertEqual(try shell(["tools/netns-nodes.sh", "down"]).status, 0)
    }
    let up = try shell(["tools/netns-nodes.sh", "up", "\(count)"])
    let listed = try XCTUnwrap(up.status == 0 ? up.stdout : nil, "netns-nodes.sh up failed")
    let addresses = listed.split(separator: "\n").map(String.init)
    XCTAssertEqual(addresses.count, count, up.stdout)
    let subnet = (addresses.first ?? "").split(separator: ".").dropLast().joined(separator: ".")
    let hostfile = FileManager.default.temporaryDirectory
      .appendingPathComponent("seqboat-hosts-\(UUID().uuidString)")
    try addresses.map { "\($0) slots=1\n" }.joined()
      .write(to: hostfile, atomically: true, encoding: .utf8)
    addTeardownBlock { try? FileManager.default.removeItem(at: hostfile) }
    var environment = [
      "OMPI_MCA_plm_rsh_agent": MultiNodeTests.root.appendingPathComponent("tools/netns-agent.sh")
        .path,
      "OMPI_MCA_plm_rsh_no_tree_spawn": "1", "OMPI_MCA_btl": "tcp,self",
      "OMPI_MCA_btl_tcp_if_include": "\(subnet).0/24",
      "OMPI_MCA_oob_tcp_if_include": "\(subnet).0/24",
      "OMPI_MCA_orte_default_hostfile": hostfile.path,
    ]
    for (name, value) in try faultSettings() where name.hasPrefix("OMPI_") {
      environment[name] = value
    }
    return environment
  }

  /// The fault settings of jobs/launch.sh (`seqboat_fault_settings`), by name.
  func faultSettings() throws -> [String: String] {
    let printed = try shell(["bash", "-c", "source jobs/launch.sh && seqboat_fault_settings"])
    XCTAssertEqual(printed.status, 0)
    var settings: [String: String] = [:]
    for line in printed.stdout.split(separator: "\n") {
      let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
      if parts.count == 2 { settings[parts[0]] = parts[1] }
    }
    XCTAssertNotNil(settings["SEQBOAT_COLLECTIVE_TIMEOUT"], printed.stdout)
    return settings
  }

  /// Two nodes × one rank over TCP give the single process's losses and parameters on the same
  /// global batch.
  func testTwoNodesEqualOneProcess() throws {
    let nodes = try startNodes(2)
    let f = try TrainingFixture()
    let one = try SeqboatJob.run(ranks: nil, f.train(TrainingFixture.mega, "one", updates: updates))
    XCTAssertEqual(one.exitCode, 0, one.output)
    let two = try SeqboatJob.run(
      ranks: 2, f.train(TrainingFixture.mega, "two", updates: updates), environment: nodes)
    XCTAssertEqual(two.exitCode, 0, two.output)
    XCTAssertEqual(try f.losses("one").count, updates)
    assertSameLosses(try f.losses("one"), try f.losses("two"), relative: 1e-5)
    assertSameParameters(try f.checkpoint("one"), try f.checkpoint("two"), tolerance: 1e-4)
    XCTAssertEqual(try f.checkpoint("two").worldSize, 2)
  }

  /// A run saved on two nodes × one rank resumes on one node × two ranks (shared memory) and
  /// continues the uninterrupted run.
  func testRunSavedOnTwoNodesResumesOnOneNode() throws {
    let nodes = try startNodes(2)
    let f = try TrainingFixture()
    let whole = try SeqboatJob.run(
      ranks: 2, f.train(TrainingFixture.mega, "whole", updates: updates), environment: nodes)
    XCTAssertEqual(whole.exitCode, 0, whole.output)
    let first = try SeqboatJob.run(
      ranks: 2, f.train(TrainingFixture.mega, "moved", updates: updates / 2), environment: nodes)
    XCTAssertEqual(first.exitCode, 0, first.output)
    XCTAssertEqual(try f.checkpoint("moved").numUpdates, updates / 2)
    let rest = try SeqboatJob.run(
      ranks: 2, f.train(TrainingFixture.mega, "moved", updates: updates))
    XCTAssertEqual(rest.exitCode, 0, rest.output)
    XCTAssertTrue(rest.output.contains("loaded checkpoint"), rest.output)
    let taken = try f.updates("moved").map { $0["update"] as? Int ?? 0 }
    XCTAssertEqual(taken, Array(1...updates))
    assertSameLosses(try f.losses("whole"), try f.losses("moved"), relative: 1e-5)
    assertSameParameters(try f.checkpoint("whole"), try f.checkpoint("moved"), tolerance: 1e-4)
  }

  /// Starts a long run on two nodes that saves every 4 updates; returns it once 10 updates are
  /// logged.
  func startLongRun(_ f: TrainingFixture, _ name: String, _ nodes: [String: String]) throws
    -> SeqboatJob
  {
    let timeout = try XCTUnwrap(try faultSettings()["SEQBOAT_COLLECTIVE_TIMEOUT"])
    let job = try SeqboatJob(
      ranks: 2,
      f.train(
        TrainingFixture.mega, name, updates: 100_000,
        ["--save-interval-updates", "4", "--collective-timeout", timeout]),
      environment: nodes)
    let logged = SeqboatJob.waitUntil(limit: 60) { ((try? f.updates(name).count) ?? 0) >= 10 }
    XCTAssertTrue(logged, job.output)
    return job
  }

  /// The newest checkpoint of an interrupted run loads (and `seqboat inspect` reads it).
  func assertCheckpointLoads(_ f: TrainingFixture, _ name: String) throws {
    let checkpoint = try f.checkpoint(name)
    XCTAssertGreaterThanOrEqual(checkpoint.numUpdates, 4)
    let inspect = try SeqboatJob.run(ranks: nil, ["inspect", f.path(name + "/checkpoint_last.h5")])
    XCTAssertEqual(inspect.exitCode, 0, inspect.output)
  }

  /// Cutting node 2's link ends the whole job within a minute with one line naming rank 1 and
  /// its host, and the last checkpoint stays loadable.
  func testCutNodeEndsTheJobNamingRankAndHost() throws {
    let nodes = try startNodes(2)
    let f = try TrainingFixture()
    let job = try startLongRun(f, "cut", nodes)
    let cut = Date()
    XCTAssertEqual(try shell(["ip", "link", "set", "sbnv2", "down"]).status, 0)
    job.wait(limit: 90)
    let seconds = Date().timeIntervalSince(cut)
    XCTAssertNotEqual(job.exitCode, 0, job.output)
    XCTAssertLessThan(seconds, 60, job.output)
    let verdict = job.lines(containing: "did not complete within")
    XCTAssertEqual(verdict.count, 1, job.output)
    XCTAssertTrue(
      verdict.first?.contains("rank 1 did not arrive (host sbn2") ?? false, job.output)
    try assertCheckpointLoads(f, "cut")
  }

  /// The process of rank `rank` among those running in network namespace `node`.
  func rankProcess(_ rank: Int, node: String) throws -> pid_t? {
    let listed = try shell(["ip", "netns", "pids", node])
    for word in listed.stdout.split(separator: "\n") {
      guard let pid = pid_t(word),
        let environment = FileManager.default.contents(
          atPath: "/proc/\(pid)/environ")
      else { continue }
      let entries = environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
      if entries.contains("OMPI_COMM_WORLD_RANK=\(rank)") { return pid }
    }
    return nil
  }

  /// Killing the rank on node 2 ends the whole job at once, Open MPI naming the rank and node.
  func testKilledRankEndsTheJob() throws {
    let nodes = try startNodes(2)
    let f = try TrainingFixture()
    let job = try startLongRun(f, "killed", nodes)
    let rank = try XCTUnwrap(rankProcess(1, node: "sbn2"), "rank 1 not found on node sbn2")
    let killed = Date()
    kill(rank, SIGKILL)
    job.wait(limit: 90)
    XCTAssertNotEqual(job.exitCode, 0, job.output)
    XCTAssertLessThan(Date().timeIntervalSince(killed), 60, job.output)
    let named = job.lines(containing: "rank 1").filter { $0.contains("10.77.0.12") }
    XCTAssertEqual(named.count, 1, job.output)
    try assertCheckpointLoads(f, "killed")
  }
}
