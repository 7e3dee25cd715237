import Data
import Distributed
import Foundation
import Layers
import Models
import Tensor

/// `seqboat eval`: a checkpoint's model on a split of a dataset, on any number of ranks.
public enum CheckpointEvaluation {
  /// The metrics (`loss` in bits, and `accuracy` or `bpc`/`ppl`) of the model saved in
  /// `checkpoint` on split `split` of `data`, in batches of `batchSize` rows per rank (0: the
  /// training batch per rank), summed over the ranks of `communicator`. Language models are read in
  /// the training blocks (over-long ones dropped, with a line on standard error), or with `contextWindow` > 0 in fairseq-eval-lm's context windows of
  /// `tokensPerSample` tokens (0: the training block length), or with `megaEval` by Mega's own
  /// protocol (`MegaLMEvaluation`; then `tokens` and `blocks` are reported too).
  public static func run(
    checkpoint path: String, data: String, split: String, batchSize: Int,
    contextWindow: Int = 0, tokensPerSample: Int = 0, megaEval: MegaLMEvalOptions.Request? = nil,
    communicator: Communicator
  ) throws -> [String: Double] {
    try prepare(
      checkpoint: path, data: data, split: split, batchSize: batchSize,
      contextWindow: contextWindow, tokensPerSample: tokensPerSample, megaEval: megaEval,
      warn: communicator.rank == 0)(communicator)
  }

  /// The part of `run` local to a rank, done before MPI starts (files read and checked, model
  /// built and loaded, rows chosen; `warn`: this rank writes warnings); the returned evaluation
  /// runs the batches over the ranks of a communicator.
  public static func prepare(
    checkpoint path: String, data: String, split: String, batchSize: Int,
    contextWindow: Int = 0, tokensPerSample: Int = 0, megaEval: MegaLMEvalOptions.Request? = nil,
    warn: Bool
  ) throws -> (Communicator) throws -> [String: Double] {
    MemoryPolicy.reuseFreedMemory()
    let checkpoint = try Checkpoint.read(path)
    guard let arch = checkpoint.modelArgs["arch"] else {
      throw TrainingError("\(path): / model_args: no arch")
    }
    let config = try ModelArgs.config(arch: arch, values: checkpoint.modelArgs)
    let file = try DatasetFile.open(data)
    try RunChecks.model(config, fits: file)
    let model = makeModel(config, seed: checkpoint.options.seed)
    try model.load(checkpoint.tensors)
    let o = checkpoint.options
    guard let mode = LMBreakMode(rawValue: o.sampleBreakMode) else {
      throw TrainingError("\(path): / train_options: sample break mode '\(o.sampleBreakMode)'")
    }
    if let megaEval {
      guard config.task == .lm else {
        throw TrainingError(
          "--mega-eval applies to Mega language models only; '\(arch)' is not one")
      }
      guard contextWindow == 0 else {
        throw TrainingError("--context-window \(contextWindow) cannot be combined with --mega-eval")
      }
      let options = try MegaLMEvalOptions(megaEval, task: file.task)
      let stream = try MegaLMEvaluation.stream(model, options: options)
      let rows = try file.split(split)
      return { communicator in
        let r = try MegaLMEvaluation.evaluate(
          stream, split: rows, options: options, communicator: communicator)
        var metrics = TrainLog.metrics(
          lossSum: r.eval.lossSum, sampleSize: r.eval.sampleSize, correct: 0, languageModel: true)
        metrics["tokens"] = r.eval.sampleSize
        metrics["blocks"] = Double(r.blocks)
        return metrics
      }
    }
    let examples: EvaluationRows
    if contextWindow > 0 {
      guard config.task == .lm else {
        throw TrainingError("--context-window applies to language models only")
      }
      examples = try LMContextWindows(
        split: file.split(split),
        tokensPerSample: tokensPerSample > 0 ? tokensPerSample : o.tokensPerSample,
        contextWindow: contextWindow)
    } else {
      let blocks = try Examples(
        file: file, split: split, tokensPerSample: o.tokensPerSample, breakMode: mode,
        maxPositions: config.maxPositions, pixelNormalization: o.pixelNormalization)
      if warn, let note = blocks.droppedNote {
        fputs("seqboat: warning: \(note)\n", stderr)
      }
      examples = blocks
    }
    let rows = batchSize > 0 ? batchSize : max(o.batchSize / max(o.updateFreq, 1), 1)
    return { communicator in
      let r = try Evaluator.evaluate(
        model, on: examples, communicator: communicator, batchSize: rows,
        progress: "eval \(split)")
      return TrainLog.metrics(
        lossSum: r.lossSum, sampleSize: r.sampleSize, correct: r.correct,
        languageModel: config.task == .lm)
    }
  }
}
