import Models
import Training

/// The model configuration of a fairseq checkpoint's `args`, read through `train`'s own model
/// options (`ModelFlags`: an option we do not implement is refused by name, with the same rules
/// as `seqboat train`) and checked against the reading of the reference namespace that the golden
/// files use (`ModelConfig(modelClass:arch:vocabSize:args:)`); the two must agree on every field.
enum FairseqModelConfig {
  /// The configuration of `args` with `vocabSize` embedding rows (fairseq's count; 0 for
  /// real-valued inputs).
  static func config(_ args: FairseqNamespace, vocabSize: Int) throws -> ModelConfig {
    guard let arch = args["arch"]?.string else { throw TorchFileError("args.arch is missing") }
    let preset: ModelConfig
    do { preset = try ModelConfig.preset(arch) } catch {
      throw TorchFileError("args.arch: \(error)")
    }
    let parser = ModelParser(preset)
    var namespace = args.texts
    if vocabSize > 0 { namespace.append(("vocab_size", String(vocabSize))) }
    let config: ModelConfig
    do {
      let entries = try ModelFlags.entries(arch: arch, namespace: namespace)
      config = try ModelArgs.config(arch: arch, values: entries)
    } catch {
      throw TorchFileError("args: \(error)")
    }
    let modelClass: String
    switch parser {
    case .lra: modelClass = "LRAModel"
    case .sc: modelClass = "SCRawModel"
    case .lm: modelClass = preset.family == .seqboat ? "SeqBoatLanguageModel" : "MegaLanguageModel"
    }
    let reference: ModelConfig
    do {
      reference = try ModelConfig(
        modelClass: modelClass, arch: arch, vocabSize: vocabSize, args: args.json)
    } catch {
      throw TorchFileError("args: \(error)")
    }
    let (ours, theirs) = (ModelArgs.table(config), ModelArgs.table(reference))
    if let key = ours.keys.sorted().first(where: { ours[$0] != theirs[$0] }) {
      throw TorchFileError(
        "args: model field \(key) reads '\(ours[key] ?? "")' through the options and "
          + "'\(theirs[key] ?? "")' from the namespace; the checkpoint is not supported")
    }
    return config
  }
}
