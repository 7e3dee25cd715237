import Foundation

/// fairseq's start-up lines of a run, in our words: the options and model hyperparameters, the
/// model and its parameter count, the world and threads, the split sizes and the batch.
enum TrainingHeader {
  /// The lines for `setup` on `ranks` ranks.
  static func lines(_ setup: TrainingSetup, ranks: Int) throws -> [String] {
    let o = setup.options
    let count = setup.model.parameterCount
    let threads = ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "OpenBLAS default"
    return [
      "| options: " + (try o.json()),
      "| model args: " + (try Checkpoint.json(ModelArgs.table(setup.config))),
      "| model \(setup.config.arch), task \(o.task ?? "from the dataset"), criterion "
        + (o.criterion ?? "the task's"),
      "| num. model params: \(count) (num. trained: \(count))",
      "| training on \(ranks) ranks, BLAS threads per rank: \(threads)",
      "| \(o.data): "
        + setup.splitSizes.map { "\($0.name) \($0.count) examples" }.joined(separator: ", "),
      "| max tokens per batch = \(o.maxTokens.map(String.init) ?? "None") and global batch "
        + "size = \(o.batchSize) (\(o.updateFreq) micro-batches per update)",
    ]
  }
}
