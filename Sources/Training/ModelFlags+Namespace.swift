import Models

extension ModelFlags {
  /// The command-line words (`--name`, `--name VALUE`) that carry the entries of a fairseq `args`
  /// namespace (name → value text, `nil` for None; store-true options as `"True"`/`"False"`) that
  /// are model options of `arch`'s parser. Entries of no model option of that parser (training,
  /// task and other parsers' options, which fairseq keeps in the same namespace) are left out;
  /// `ModelFlags.entries(arch:words:)` then refuses what is not implemented, by name.
  public static func words(arch: String, namespace: [(name: String, value: String?)]) throws
    -> [String]
  {
    let parser = ModelParser(try ModelConfig.preset(arch))
    var words: [String] = []
    for (key, value) in namespace {
      let name = key.replacingOccurrences(of: "_", with: "-")
      guard let value,
        let flag = table.first(where: { $0.name == name && $0.parsers.contains(parser) })
      else { continue }
      if flag.isSwitch {
        if value == "True" { words.append("--\(name)") }
      } else {
        words += ["--\(name)", value]
      }
    }
    return words
  }
}
