import ArgumentParser
import Distributed
import Foundation
import Training

/// `seqboat eval --checkpoint F --data D --split S`: metrics of a checkpoint on one split, on
/// every rank of an `mpirun` job (each rank evaluates a contiguous share; sums over ranks).
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Evaluate a checkpoint on a dataset split (loss in bits; accuracy or bpc/ppl).")

  @Option(help: "A checkpoint written by seqboat train.") var checkpoint: String
  @Option(help: "Threads of every kernel in each rank (default: SLURM_CPUS_PER_TASK, else 1).")
  var threads: Int?
  @Option(help: "Dataset file (seqboat-hdf5).") var data: String
  @Option(help: "train, valid or test.") var split = "test"
  @Option(help: "Rows per batch on each rank (0: the training batch per rank).")
  var batchSize = 0
  @Option(help: "LM: tokens of context before each scored segment (fairseq-eval-lm; 0: blocks).")
  var contextWindow = 0
  @Option(help: "LM: tokens per forward pass with --context-window (0: the training blocks).")
  var tokensPerSample = 0
  @Flag(
    help: ArgumentHelp(
      "Mega LM: evaluate as Mega's eval_mega_lm.py (blocks of whole lines, segments with the EMA"
        + " state carried). Implied by the three flags below.",
      discussion: "Defaults by dataset task: enwik8 --valid-block splits:50 --test-chunk-size 4096"
        + " --chunk-nums 3; wikitext103 splits:10, 2048, 2 (MODEL.md 5.9)."))
  var megaEval = false
  @Option(help: "Mega LM: blocks, splits:N (N blocks) or size:N (N tokens each).")
  var validBlock: String?
  @Option(help: "Mega LM: attention chunk at test time (enwik8 4096, wikitext103 2048).")
  var testChunkSize: Int?
  @Option(help: "Mega LM: chunks per forward pass (enwik8 3, wikitext103 2).")
  var chunkNums: Int?
  @Option(help: "Seconds a collective may wait before the job is aborted.")
  var collectiveTimeout = 300.0

  /// The Mega evaluation asked for, if any.
  var megaRequest: MegaLMEvalOptions.Request? {
    let request = MegaLMEvalOptions.Request(
      validBlock: validBlock, testChunkSize: testChunkSize, chunkNums: chunkNums)
    return megaEval || request != MegaLMEvalOptions.Request() ? request : nil
  }

  /// The files read and checked, and the model loaded, on every rank before MPI starts: a bad
  /// file or option is one line from the first rank and status 1, without MPI_Abort's banner.
  func run() throws {
    let evaluate: (Communicator) throws -> [String: Double]
    let threadCount: Int
    do {
      threadCount = try ThreadCount.resolve(
        threads, environment: ProcessInfo.processInfo.environment)
      evaluate = try CheckpointEvaluation.prepare(
        checkpoint: checkpoint, data: data, split: split, batchSize: batchSize,
        contextWindow: contextWindow, tokensPerSample: tokensPerSample, megaEval: megaRequest,
        warn: LauncherRank.isFirst)
    } catch {
      if LauncherRank.isFirst { fputs("seqboat: eval: \(error)\n", stderr) }
      throw ExitCode(1)
    }
    let comm = try Communicator.world(collectiveTimeout: collectiveTimeout)
    do {
      let metrics = try ThreadCount.run(threads: threadCount) { try evaluate(comm) }
      if comm.rank == 0 {
        print(
          "\(split) | "
            + TrainLog.format(metrics.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
      }
    } catch {
      comm.abort("eval", error)
    }
    try comm.finalize()
  }
}
