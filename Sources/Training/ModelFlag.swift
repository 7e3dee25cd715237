import Models

/// Which reference argument parser a model's command-line options come from: `LRAModel`'s,
/// `SCRawModel`'s or the language models' (`mega_lm`, `seqboat_lm`).
public enum ModelParser: String, Sendable, CaseIterable {
  case lra, sc, lm

  /// The parser of a configuration's model class.
  public init(_ config: ModelConfig) {
    switch config.task {
    case .lra: self = .lra
    case .sc: self = .sc
    case .lm: self = .lm
    }
  }
}

/// One model option of a reference parser, under fairseq's name and kind, and what it does here:
/// the entries of the stored configuration table (`ModelArgs`) it sets, or that it is parsed and
/// never read by the reference (a no-op), or refused.
struct ModelFlag {
  /// What the option does here.
  enum Effect {
    /// Sets stored-table entries from the value (`"true"` for a store-true flag).
    case sets((String) throws -> [String: String])
    /// Parsed by the reference for these models but never read: accepted, nothing changes.
    case noOp
    /// A value (or, for a flag, giving it) that we do not implement: refused with this reason.
    case refused(String)
  }

  /// The fairseq name, without `--`.
  let name: String
  /// True for `action='store_true'` options, which take no value.
  let isSwitch: Bool
  /// The parsers that have it.
  let parsers: Set<ModelParser>
  /// Only in SeqBoat's parsers and read by SeqBoat layers only.
  let seqBoatOnly: Bool
  /// Set inside the reference's arch functions only; exposed here as a flag of ours.
  let ours: Bool
  /// The accepted values (nil: any value the effect parses).
  let choices: [String]?
  /// One line for `--help`.
  let help: String
  let effect: Effect

  init(
    _ name: String, switch isSwitch: Bool = false, _ parsers: Set<ModelParser>,
    seqBoatOnly: Bool = false, ours: Bool = false, choices: [String]? = nil, _ help: String,
    _ effect: Effect
  ) {
    self.name = name
    self.isSwitch = isSwitch
    self.parsers = parsers
    self.seqBoatOnly = seqBoatOnly
    self.ours = ours
    self.choices = choices
    self.help = help
    self.effect = effect
  }

  /// An option that sets the stored entries `keys` to its value unchanged.
  static func value(
    _ name: String, _ parsers: Set<ModelParser>, to keys: [String], seqBoatOnly: Bool = false,
    ours: Bool = false, choices: [String]? = nil, _ help: String
  ) -> ModelFlag {
    ModelFlag(
      name, parsers, seqBoatOnly: seqBoatOnly, ours: ours, choices: choices, help,
      .sets { v in
        try ModelArgs.checkParses(v, into: keys, as: name)
        return Dictionary(uniqueKeysWithValues: keys.map { ($0, v) })
      })
  }

  /// A store-true option that sets the stored entry `key` to true.
  static func enables(
    _ name: String, _ parsers: Set<ModelParser>, _ key: String, seqBoatOnly: Bool = false,
    _ help: String
  ) -> ModelFlag {
    ModelFlag(
      name, switch: true, parsers, seqBoatOnly: seqBoatOnly, help, .sets { _ in [key: "true"] })
  }

  /// An option the reference parses for these models and never reads.
  static func ignored(
    _ name: String, switch isSwitch: Bool = false, _ parsers: Set<ModelParser>, _ help: String
  ) -> ModelFlag {
    ModelFlag(name, switch: isSwitch, parsers, help, .noOp)
  }

  /// The `--help` line.
  var helpLine: String {
    var tags: [String] = []
    if ours { tags.append("ours") }
    if seqBoatOnly { tags.append("SeqBoat") }
    if case .noOp = effect { tags.append("no-op, as in the reference") }
    if case .refused = effect { tags.append("refused: not implemented") }
    let value = isSwitch ? "" : " " + (choices?.joined(separator: "|") ?? "VALUE")
    let tagText = tags.isEmpty ? "" : " [" + tags.joined(separator: "; ") + "]"
    return "--\(name)\(value): \(help)\(tagText)"
  }
}
