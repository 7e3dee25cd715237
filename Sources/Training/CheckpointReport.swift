import HDF5
import Models
import Tensor

/// What `seqboat inspect` shows of a checkpoint: the model (arch, every hyperparameter, parameter
/// count), the training state (updates, epoch, best metric, optimizer moments) and, for one
/// imported from fairseq, the size of its token-id mapping.
public enum CheckpointReport {
  /// True when `path` is an HDF5 file whose `format` is `seqboat-checkpoint`.
  public static func isCheckpoint(_ path: String) -> Bool {
    guard let root = try? HDF5File.open(path).root(), root.hasAttribute("format") else {
      return false
    }
    return (try? root.stringAttribute("format")) == Checkpoint.format
  }

  /// The report of the checkpoint at `path`.
  public static func text(_ path: String) throws -> String {
    let ck = try Checkpoint.read(path)
    guard let arch = ck.modelArgs["arch"] else {
      throw TrainingError("\(path): / model_args: no arch")
    }
    let config = try ModelArgs.config(arch: arch, values: ck.modelArgs)
    let parameters = makeModel(config).parameterCount
    var lines = [
      "\(path): seqboat checkpoint of \(arch), \(parameters) parameters",
      "updates \(ck.numUpdates), epoch \(ck.epoch) (\(ck.batchInEpoch) batches in), "
        + "best \(ck.bestMetric.map { String($0) } ?? "none"), saved by \(ck.worldSize) ranks",
      "optimizer \(ck.options.optimizer): moments of \(ck.moments.count) parameters",
    ]
    let root = try HDF5File.open(path).root()
    if root.exists("fairseq/token_ids") {
      let count = try root.openDataset("fairseq/token_ids").shape.first ?? 0
      lines.append("imported from fairseq: /fairseq/token_ids maps \(count) fairseq token ids")
    }
    lines.append("model:")
    lines += ck.modelArgs.sorted { $0.key < $1.key }.map { "  --\($0.key) \($0.value)" }
    return lines.joined(separator: "\n")
  }
}
