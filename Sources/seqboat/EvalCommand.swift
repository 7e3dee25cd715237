import ArgumentParser
import Distributed
import Training

/// `seqboat eval --checkpoint F --data D --split S`: metrics of a checkpoint on one split, on
/// every rank of an `mpirun` job (each rank evaluates a contiguous share; sums over ranks).
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Evaluate a checkpoint on a dataset split (loss in bits; accuracy or bpc/ppl).")

  @Option(help: "A checkpoint written by seqboat train.") var checkpoint: String
  @Option(help: "Dataset file (seqboat-hdf5).") var data: String
  @Option(help: "train, valid or test.") var split = "test"
  @Option(help: "Rows per batch on each rank (0: the training batch per rank).")
  var batchSize = 0
  @Option(help: "LM: tokens of context before each scored segment (fairseq-eval-lm; 0: blocks).")
  var contextWindow = 0
  @Option(help: "LM: tokens per forward pass with --context-window (0: the training blocks).")
  var tokensPerSample = 0
  @Option(help: "Seconds a collective may wait before the job is aborted.")
  var collectiveTimeout = 300.0

  func run() throws {
    let comm = try Communicator.world(collectiveTimeout: collectiveTimeout)
    do {
      let metrics = try CheckpointEvaluation.run(
        checkpoint: checkpoint, data: data, split: split, batchSize: batchSize,
        contextWindow: contextWindow, tokensPerSample: tokensPerSample, communicator: comm)
      if comm.rank == 0 {
        print(
          "\(split) | "
            + TrainLog.format(metrics.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
      }
    } catch {
      comm.abort("eval: \(error)")
    }
    try comm.finalize()
  }
}
