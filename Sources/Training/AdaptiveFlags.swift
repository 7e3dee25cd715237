import Models

/// fairseq's adaptive input/softmax options of the language models. Implemented here: adaptive
/// input with an adaptive softmax tied to it (`--tie-adaptive-weights --tie-adaptive-proj`, equal
/// cutoffs and factors), as `mega_lm_adaptive_big` builds it; every other combination is refused by
/// name (the reference asserts equal cutoffs and factors whenever the weights are tied).
enum AdaptiveFlags {
  typealias F = ModelFlag

  static let table: [ModelFlag] = [
    .enables("adaptive-input", [.lm], "_adaptive-input", "adaptive input embedding"),
    .value("adaptive-input-cutoff", [.lm], to: ["_adaptive-input-cutoff"], "cutoffs a,b"),
    .value("adaptive-input-factor", [.lm], to: ["_adaptive-input-factor"], "width factor"),
    .value("adaptive-softmax-cutoff", [.lm], to: ["_adaptive-softmax-cutoff"], "cutoffs a,b"),
    .value("adaptive-softmax-factor", [.lm], to: ["_adaptive-softmax-factor"], "width factor"),
    .value("adaptive-softmax-dropout", [.lm], to: ["adaptive-softmax-dropout"], "tail dropout"),
    .enables("tie-adaptive-weights", [.lm], "_tie-adaptive-weights", "tie softmax to input"),
    .enables("tie-adaptive-proj", [.lm], "_tie-adaptive-proj", "tie the projections too"),
  ]

  /// Replaces the `_adaptive…` entries of `out` by the stored `adaptive-cutoffs` and
  /// `adaptive-factor`, starting from the preset's adaptive setting; throws naming the option of a
  /// combination that is not implemented.
  static func resolve(_ out: inout [String: String], preset: ModelConfig) throws {
    guard out.keys.contains(where: { $0.hasPrefix("_") }) else { return }
    let presetCutoffs = preset.adaptiveCutoffs.map { $0.map(String.init).joined(separator: ",") }
    let adaptive = preset.adaptiveCutoffs != nil
    let input = out.removeValue(forKey: "_adaptive-input") != nil || adaptive
    let inputCutoffs = out.removeValue(forKey: "_adaptive-input-cutoff") ?? presetCutoffs
    let softmaxCutoffs = out.removeValue(forKey: "_adaptive-softmax-cutoff") ?? presetCutoffs
    let factor = String(preset.adaptiveFactor)
    let inputFactor = out.removeValue(forKey: "_adaptive-input-factor") ?? factor
    let softmaxFactor = out.removeValue(forKey: "_adaptive-softmax-factor") ?? factor
    let tied = out.removeValue(forKey: "_tie-adaptive-weights") != nil || adaptive
    let tiedProjection = out.removeValue(forKey: "_tie-adaptive-proj") != nil || adaptive
    guard input else {
      if softmaxCutoffs != nil {
        throw TrainingError(
          "--adaptive-softmax-cutoff without --adaptive-input (an untied adaptive softmax) is "
            + "not implemented")
      }
      if tied { throw TrainingError("--tie-adaptive-weights needs --adaptive-input") }
      return
    }
    guard let inputCutoffs else {
      throw TrainingError("--adaptive-input needs --adaptive-input-cutoff")
    }
    guard let softmaxCutoffs else {
      throw TrainingError(
        "--adaptive-input without --adaptive-softmax-cutoff (a full softmax) is not implemented")
    }
    guard tied, tiedProjection else {
      throw TrainingError(
        "an adaptive softmax not tied to the adaptive input (--tie-adaptive-weights "
          + "--tie-adaptive-proj) is not implemented")
    }
    let (a, b) = (try cutoffs(inputCutoffs), try cutoffs(softmaxCutoffs))
    guard a == b else {
      throw TrainingError(
        "--adaptive-softmax-cutoff \(softmaxCutoffs) differs from --adaptive-input-cutoff "
          + "\(inputCutoffs); tied adaptive weights need equal cutoffs")
    }
    guard let f = Double(inputFactor), f >= 1, f == f.rounded(), Double(softmaxFactor) == f else {
      throw TrainingError(
        "--adaptive-input-factor \(inputFactor) and --adaptive-softmax-factor \(softmaxFactor) "
          + "must be one whole number >= 1")
    }
    out["adaptive-cutoffs"] = a.map(String.init).joined(separator: ",")
    out["adaptive-factor"] = String(Int(f))
  }

  /// fairseq's `eval_str_list` of a cutoff text ("20000,60000" or "[20000, 60000]").
  static func cutoffs(_ text: String) throws -> [Int] {
    let parts = text.filter { !"[]() ".contains($0) }.split(separator: ",")
    let values = parts.compactMap { Int($0) }
    guard !values.isEmpty, values.count == parts.count else {
      throw TrainingError("adaptive cutoffs '\(text)' are not a list of integers")
    }
    return values
  }
}
