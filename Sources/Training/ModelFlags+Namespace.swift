import Models

extension ModelFlags {
  /// The stored-table entries (`ModelArgs` names) of a fairseq `args` namespace (name → value
  /// text, `nil` for None; store-true options as `"True"`/`"False"`) on `arch`: its entries that
  /// are model options of `arch`'s parser go through `entries(arch:words:)`, so what is not
  /// implemented is refused by name as `train` refuses it. A store-true option that is False sets
  /// its entries to false (the preset may hold true); None is `none` for the options that take it
  /// (`--truncation-length`, `--decoder-input-dim`) and absent otherwise. Entries of no model option
  /// of that parser (training, task and other parsers' options, which fairseq keeps in the same
  /// namespace) are left out.
  public static func entries(arch: String, namespace: [(name: String, value: String?)]) throws
    -> [String: String]
  {
    let parser = ModelParser(try ModelConfig.preset(arch))
    var words: [String] = []
    var cleared: [String] = []
    for (key, value) in namespace {
      let name = key.replacingOccurrences(of: "_", with: "-")
      guard
        let flag = table.first(where: { $0.name == name && $0.parsers.contains(parser) })
      else { continue }
      switch (flag.isSwitch, value) {
      case (true, "True"): words.append("--\(name)")
      case (true, _):
        if case .sets(let entries) = flag.effect {
          cleared += try entries("true").keys.filter { !$0.hasPrefix("_") }
        }
      case (false, nil) where ["truncation-length", "decoder-input-dim"].contains(name):
        words += ["--\(name)", "none"]
      case (false, nil): continue
      case (false, let text?): words += ["--\(name)", text]
      }
    }
    var out = try entries(arch: arch, words: words)
    for key in cleared where out[key] == nil { out[key] = "false" }
    return out
  }
}
