import Foundation
import Models
import Optim
import Pickle
import Tensor
import Training

/// A fairseq checkpoint (fairseq 0.9's `save_state` layout: `args`, `model`,
/// `optimizer_history`, `extra_state`, `last_optimizer_state`) as a seqboat checkpoint.
public struct FairseqImporter {
  /// The imported checkpoint.
  public let checkpoint: Checkpoint
  /// For each fairseq token id, seqboat's (nil for models without a vocabulary).
  public let tokenIDs: [Int]?
  /// One line per thing that was not carried over (kept for the user, never silent).
  public let notes: [String]

  /// Converts `file`, with `dictionary` for models that read tokens.
  public init(_ file: TorchFile, dictionary: FairseqDictionary?) throws {
    guard let top = file.root.dict else { throw TorchFileError("the checkpoint is not a dict") }
    guard let argsValue = top["args"], case .object = argsValue else {
      throw TorchFileError(
        top["cfg"] != nil
          ? "checkpoint has 'cfg' instead of 'args' (fairseq >= 0.10), which is not supported"
          : "checkpoint has no 'args'")
    }
    let args = try FairseqNamespace(argsValue, field: "args")
    guard let model = top["model"]?.dict else {
      throw TorchFileError("checkpoint has no 'model' dict")
    }
    let tensors: [(name: String, tensor: TorchTensor)] = try model.entries.map { entry in
      guard let name = entry.key.string else {
        throw TorchFileError("model: a key is not a string")
      }
      return (name, try file.tensor(entry.value, field: "model.\(name)"))
    }
    let fairseqRows = FairseqImporter.vocabularyRows(tensors)
    var config = try FairseqModelConfig.config(args, vocabSize: fairseqRows)
    var notes: [String] = []
    var map: FairseqTokenMap?
    if config.input == .tokens {
      guard let dictionary else {
        throw TorchFileError("this model reads tokens: give its fairseq dictionary with --dict")
      }
      let m = try FairseqTokenMap(
        dictionary, fairseqRows: fairseqRows, withCLS: args["task"]?.string == "lra-text",
        cutoffs: config.adaptiveCutoffs, languageModel: config.task == .lm)
      config.vocabSize = m.rows
      map = m
    } else if dictionary != nil {
      notes.append("--dict: this model reads real values; the dictionary is not used")
    }
    let built = makeModel(config)
    let values = try FairseqParameters.load(tensors, into: built, map: map)
    let moments = try FairseqOptimizerState.moments(
      top, tensors: tensors, model: built, file: file, map: map, notes: &notes)
    var options = FairseqTrainOptions.options(args, notes: &notes)
    options.optimizer = "adam"
    let history = top["optimizer_history"]?.items?.last?.dict
    let extra = top["extra_state"]?.dict
    let iterator = extra?["train_iterator"]?.dict
    checkpoint = Checkpoint(
      modelArgs: ModelArgs.table(config), options: options, worldSize: 1,
      numUpdates: history?["num_updates"]?.int ?? 0, epoch: iterator?["epoch"]?.int ?? 1,
      batchInEpoch: iterator?["iterations_in_epoch"]?.int ?? 0,
      bestMetric: FairseqTrainOptions.bestMetric(extra, args: args, config: config, notes: &notes),
      tensors: values, moments: moments, scaler: nil)
    tokenIDs = map?.ids
    self.notes = notes
  }

  /// fairseq's embedding rows: the token table's, or the adaptive bands' together (0: none).
  static func vocabularyRows(_ tensors: [(name: String, tensor: TorchTensor)]) -> Int {
    if let table = tensors.first(where: {
      $0.name == "decoder.embed_tokens.weight" || $0.name.hasSuffix("embed_tokens.embed.weight")
    }) {
      return table.tensor.shape.first ?? 0
    }
    return tensors.filter { FairseqParameters.band(of: $0.name) != nil }.reduce(0) {
      $0 + ($1.tensor.shape.first ?? 0)
    }
  }
}
