import Foundation
import HDF5

/// Where the golden files live: `$SEQBOAT_GOLDEN_DIR`, else the repository's `Tests/Fixtures/golden`.
enum GoldenFixtures {
  static var directory: URL {
    if let dir = ProcessInfo.processInfo.environment["SEQBOAT_GOLDEN_DIR"] {
      return URL(fileURLWithPath: dir)
    }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/golden")
  }

  /// The golden files whose names start with one of `prefixes`, sorted.
  static func files(prefixes: [String]) throws -> [String] {
    let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    return names.filter { n in n.hasSuffix(".h5") && prefixes.contains { n.hasPrefix($0) } }
      .sorted().map { directory.appendingPathComponent($0).path }
  }

  /// A small file with the root attributes of a golden file and nothing else.
  static func writeSkeleton(
    _ path: String, kind: String, config: String, input x: (shape: [Int], values: [Float])? = nil
  ) throws {
    let file = try HDF5File.create(path)
    let root = try file.root()
    try root.setAttribute("schema", string: "seqboat-golden")
    try root.setAttribute("schema_version", int64: 1)
    try root.setAttribute("case", string: "skeleton")
    try root.setAttribute("kind", string: kind)
    try root.setAttribute("mode", string: "eval")
    try root.setAttribute("config", string: config)
    try root.setAttribute(
      "tolerance_hint", string: #"{"outputs_atol_rel": 1e-5, "grads_atol_rel": 1e-4}"#)
    if let x {
      _ = try root.createGroup("inputs").writeDataset("x", x.values, shape: x.shape)
    }
    try file.close()
  }
}
