import Models

/// `ModelConfigChecks` names the reference's argument (`hidden_dim`, `chunk_size`); on the command
/// line that argument is an option of the model's parser (`--encoder-hidden-dim` for classifiers,
/// `--decoder-hidden-dim` for language models), and that is the name a refusal gives.
enum ReferenceArgumentFlag {
  /// The option that sets the reference's argument `key`.
  static func flag(for key: String, languageModel lm: Bool) -> String {
    let classifier = [
      "embed_dim": "encoder-embed-dim", "hidden_dim": "encoder-hidden-dim",
      "hidden_dropout": "act-dropout", "activation_dropout": "act-dropout",
    ]
    let languageModel = [
      "embed_dim": "decoder-embed-dim", "hidden_dim": "decoder-hidden-dim",
      "z_dim": "decoder-z-dim", "n_dim": "decoder-n-dim", "chunk_size": "decoder-chunk-size",
      "max_positions": "max-target-positions",
    ]
    let name =
      (lm ? languageModel : classifier)[key] ?? key.replacingOccurrences(of: "_", with: "-")
    return "--" + name
  }

  /// Runs `check`, rethrowing a `ModelConfigError.badArgument` as one line that names the option
  /// first, then the reference's argument.
  static func naming(languageModel: Bool, _ check: () throws -> Void) throws {
    do {
      try check()
    } catch ModelConfigError.badArgument(let key, let why) {
      throw TrainingError("\(flag(for: key, languageModel: languageModel)) (\(key)) \(why)")
    }
  }
}
