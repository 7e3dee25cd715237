import Layers
import Models
import Tensor

/// The model options of `seqboat train`: exactly those of the reference's argument parsers for
/// the chosen model (`LRAModel`, `SCRawModel`, `mega_lm`/`seqboat_lm`; both repositories), under
/// fairseq's names and kinds (store-true options take no value), plus the launcher options of
/// `fairseq-train` that change nothing here. Each either sets entries of the stored configuration
/// table (`ModelArgs`), is accepted as the no-op it is in the reference, or is refused by name. An
/// option of another model's parser, or of no parser, is an error.
public enum ModelFlags {
  /// The stored-table entries (`ModelArgs` names) that the options `words` (as left over by the
  /// argument parser) set on the preset `arch`; throws one line naming the option, an unknown one
  /// with the closest of the model options and `otherNames` (the command's own options).
  public static func entries(arch: String, words: [String], otherNames: [String] = []) throws
    -> [String: String]
  {
    let preset = try ModelConfig.preset(arch)
    let parser = ModelParser(preset)
    var out: [String: String] = [:]
    var seqBoatOnly: [String] = []
    var i = 0
    while i < words.count {
      let word = words[i]
      guard word.hasPrefix("--"), word.count > 2 else {
        throw TrainingError("unexpected argument '\(word)'")
      }
      let body = word.dropFirst(2)
      let name = String(body.prefix { $0 != "=" })
      let attached = body.firstIndex(of: "=").map { String(body[body.index(after: $0)...]) }
      let named = table.filter { $0.name == name }
      guard let flag = named.first(where: { $0.parsers.contains(parser) }) ?? named.first else {
        throw TrainingError(
          "unknown option --\(name)\(suggestion(for: name, among: names + otherNames))")
      }
      guard flag.parsers.contains(parser) else {
        throw TrainingError(
          "--\(name) is not an option of \(parser.rawValue) models (arch \(arch))")
      }
      let value: String
      if flag.isSwitch {
        if let attached { throw TrainingError("--\(name) takes no value (got '\(attached)')") }
        value = "true"
        i += 1
      } else if let attached {
        value = attached
        i += 1
      } else {
        guard i + 1 < words.count else { throw TrainingError("--\(name) needs a value") }
        value = words[i + 1]
        i += 2
      }
      if let choices = flag.choices, !choices.contains(value) {
        throw TrainingError(
          "--\(name) '\(value)' is not one of \(choices.joined(separator: ", "))")
      }
      if flag.seqBoatOnly { seqBoatOnly.append(name) }
      switch flag.effect {
      case .sets(let entries):
        do { out.merge(try entries(value)) { $1 } } catch let e as TrainingError {
          throw TrainingError("--\(name) \(e.description)")
        }
      case .noOp: continue
      case .refused(let why): throw TrainingError("--\(name): \(why)")
      }
    }
    if ModelConfig.archsWithoutNormType.contains(arch), out["normalization-type"] == nil {
      throw TrainingError(
        "--arch \(arch) sets no norm type (nor does the reference): give --norm-type")
    }
    let family = out["layer-type"] ?? preset.family.rawValue
    if family != LayerFamily.seqboat.rawValue, let name = seqBoatOnly.first {
      throw TrainingError("--\(name) is read by SeqBoat layers only; this model has Mega layers")
    }
    try AdaptiveFlags.resolve(&out, preset: preset)
    return out
  }

  /// Every option with its parsers and effect, one line each, for `--help`.
  public static var helpText: String {
    ModelParser.allCases.map { p in
      "\(p.rawValue) models: "
        + table.filter { $0.parsers.contains(p) }.map(\.helpLine).joined(separator: "; ")
    }.joined(separator: "\n")
  }

  /// Every option name.
  public static var names: [String] { table.map(\.name) }

  /// The names of the store-true options, which take no value.
  public static var switchNames: [String] { table.filter(\.isSwitch).map(\.name) }

  /// " (did you mean --x?)" for the name of `known` (default: the model options) closest to
  /// `name`, if any is close.
  public static func suggestion(for name: String, among known: [String] = names) -> String {
    let scored = known.map { ($0, editDistance($0, name)) }.min { $0.1 < $1.1 }
    guard let (best, d) = scored, d <= max(2, name.count / 4) else { return "" }
    return " (did you mean --\(best)?)"
  }

  /// Levenshtein distance.
  static func editDistance(_ a: String, _ b: String) -> Int {
    let y = Array(b)
    var row = Array(0...y.count)
    for (i, c) in a.enumerated() {
      var next = [i + 1]
      for (j, d) in y.enumerated() {
        next.append(min(row[j + 1] + 1, next[j] + 1, row[j] + (c == d ? 0 : 1)))
      }
      row = next
    }
    return row[y.count]
  }

  /// The option values mapped through `map` (reference value → stored value); others refused.
  static func mapped(_ key: String, _ map: [String: String], refuse: [String: String] = [:])
    -> ModelFlag.Effect
  {
    .sets { v in
      if let why = refuse[v] { throw TrainingError("'\(v)': \(why)") }
      guard let stored = map[v] else { throw TrainingError("'\(v)' is not supported") }
      return [key: stored]
    }
  }

  static let classifiers: Set<ModelParser> = [.lra, .sc]
  static let all: Set<ModelParser> = [.lra, .sc, .lm]
  static let activations = Activation.fairseqNames
  static let notImplemented = "not implemented in seqboat"

  static let table: [ModelFlag] =
    classifierTable + languageModelTable + sharedTable + launcherTable
}
