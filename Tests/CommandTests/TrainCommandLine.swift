import TestSupport

/// A `seqboat train` command line as printed by a job script's dry run, parsed into flags.
struct TrainCommandLine {
  /// The program (first word).
  let program: String
  /// Flag → value; switches map to "". `--flag=value` and `--flag value` parse alike.
  let flags: [String: String]
  /// Flags given more than once (a script must not rely on "last one wins").
  let repeated: [String]

  /// Flags that take no value: the built binary's own list (`seqboat train-switches`, which
  /// jobs/launch.sh uses too); empty when the binary cannot be run.
  static let switches: Set<String> = {
    guard let binary = try? SeqboatJob.executable().path,
      let listed = try? ScriptRunner.run([binary, "train-switches"]), listed.status == 0
    else { return [] }
    return Set(listed.stdout.split(separator: "\n").map(String.init))
  }()

  /// Parses `words` (program, `train`, flags); nil when the shape is wrong.
  init?(words: [String]) {
    guard words.count >= 2, words[1] == "train" else { return nil }
    program = words[0]
    var flags: [String: String] = [:]
    var repeated: [String] = []
    var index = 2
    while index < words.count {
      var name = words[index]
      guard name.hasPrefix("--") else { return nil }
      var value = ""
      if let equals = name.firstIndex(of: "=") {
        value = String(name[name.index(after: equals)...])
        name = String(name[..<equals])
      } else if !Self.switches.contains(name) {
        index += 1
        guard index < words.count else { return nil }
        value = words[index]
      }
      if flags[name] != nil { repeated.append(name) }
      flags[name] = value
      index += 1
    }
    self.flags = flags
    self.repeated = repeated
  }

  /// True when `actual` equals `expected` as numbers (when both are numbers) or as text.
  static func sameValue(_ actual: String, _ expected: String) -> Bool {
    if let a = Double(actual), let e = Double(expected) {
      return a == e || abs(a - e) <= 1e-12 * max(abs(a), abs(e))
    }
    return actual == expected
  }
}
