import Foundation
import Models
import Optim
import Pickle
import Tensor
import Training

/// `seqboat export-fairseq`: a seqboat checkpoint as a fairseq 0.9 checkpoint (`save_state`'s
/// layout) in torch's zip format. Token rows go back to fairseq's order when the checkpoint was
/// imported (its `/fairseq/token_ids`); tied weights share one storage under each of their names;
/// the reference's value-less buffers (`version`, `_float_tensor`) are written as the reference
/// registers them; the Adam moments follow the reference's `model.parameters()` order.
public enum FairseqExport {
  /// Exports `checkpoint` to `out` (atomically); errors are one line naming the file.
  public static func run(checkpoint path: String, out: String) throws {
    let ck = try Checkpoint.read(path)
    guard let arch = ck.modelArgs["arch"] else {
      throw TorchFileError("\(path): / model_args: no arch")
    }
    let config = try ModelArgs.config(arch: arch, values: ck.modelArgs)
    let map = try FairseqCheckpointFile.tokenIDs(path).map {
      FairseqTokenMap(ids: $0, rows: config.vocabSize, cutoffs: config.adaptiveCutoffs)
    }
    let model = makeModel(config)
    var archive = TorchZipWriter()
    let state = PickleDict()
    for (name, shape, value) in FairseqExport.placeholders(config) {
      state.set(.string(name), archive.tensor(value, shape: shape))
    }
    var storages: [String: PickleValue] = [:]
    let order = FairseqParameters.referenceOrder(model.parameters.map(\.name))
    for name in order + model.buffers.map(\.name) {
      guard let t = ck.tensors[name] else {
        throw TorchFileError("\(path): /model/\(name) is missing")
      }
      let v = FairseqParameters.restored(name, shape: t.shape, values: t.data, map: map)
      let values: TorchZipWriter.Values =
        name.hasSuffix("num_batches_tracked")
        ? .int64(v.data.map { Int64($0) }) : .float32(v.data)
      storages[name] = archive.tensor(values, shape: v.shape)
      state.set(.string(name), storages[name]!)
    }
    for (alias, target) in model.tiedNames.sorted(by: { $0.key < $1.key }) {
      if let shared = storages[target] { state.set(.string(alias), shared) }
    }
    let optimizer = PickleDict()
    let perParameter = PickleDict()
    for (index, name) in order.enumerated() {
      guard let m = ck.moments[name], let shape = ck.tensors[name]?.shape else { continue }
      let entry = PickleDict()
      entry.set(.string("step"), .int(m.step))
      for (key, values) in [("exp_avg", m.expAvg), ("exp_avg_sq", m.expAvgSq)] {
        let v = FairseqParameters.restored(name, shape: shape, values: values, map: map)
        entry.set(.string(key), archive.tensor(.float32(v.data), shape: v.shape))
      }
      perParameter.set(.int(index), .dict(entry))
    }
    optimizer.set(.string("state"), .dict(perParameter))
    let (b1, b2) = try parseAdamBetas(ck.options.adamBetas)
    let group = FairseqExport.dict([
      ("lr", .float(ck.options.lr)), ("betas", .tuple([.float(b1), .float(b2)])),
      ("eps", .float(ck.options.adamEps)), ("weight_decay", .float(ck.options.weightDecay)),
      ("amsgrad", .bool(false)), ("params", .list(PickleList(order.indices.map { .int($0) }))),
    ])
    optimizer.set(.string("param_groups"), .list(PickleList([group])))
    let args = PickleObject(callable: "argparse Namespace", arguments: [])
    args.state = FairseqExport.dict(FairseqArgs.namespace(config, options: ck.options))
    let best: PickleValue = ck.bestMetric.map { .float($0) } ?? .none
    let history = FairseqExport.dict([
      ("criterion_name", .string(FairseqExport.criterion(config))),
      ("optimizer_name", .string("FairseqAdam")),
      ("lr_scheduler_state", FairseqExport.dict([("best", best)])),
      ("num_updates", .int(ck.numUpdates)),
    ])
    let iterator = FairseqExport.dict([
      ("version", .int(2)), ("epoch", .int(ck.epoch)),
      ("iterations_in_epoch", .int(ck.batchInEpoch)), ("shuffle", .bool(true)),
    ])
    let root = FairseqExport.dict([
      ("args", .object(args)), ("model", .dict(state)),
      ("optimizer_history", .list(PickleList([history]))),
      ("extra_state", FairseqExport.dict([("train_iterator", iterator), ("best", best)])),
      ("last_optimizer_state", .dict(optimizer)),
    ])
    try archive.write(root: root, to: out)
  }

  /// The reference's criterion class name for the model's loss.
  static func criterion(_ c: ModelConfig) -> String {
    guard c.task == .lm else { return "LRACrossEntropyCriterion" }
    return c.adaptiveCutoffs == nil ? "CrossEntropyCriterion" : "AdaptiveLoss"
  }

  /// The value-less buffers of the reference model that seqboat's model does not hold:
  /// the language model's `decoder.version` (3.0), adaptive input's and adaptive softmax's
  /// `_float_tensor` and the adaptive softmax's `version` (int64 1).
  static func placeholders(_ c: ModelConfig) -> [(String, [Int], TorchZipWriter.Values)] {
    guard c.task == .lm else { return [] }
    var out: [(String, [Int], TorchZipWriter.Values)] = [("decoder.version", [1], .float32([3]))]
    if c.adaptiveCutoffs != nil {
      out += [
        ("decoder.embed_tokens._float_tensor", [1], .float32([0])),
        ("decoder.adaptive_softmax.version", [1], .int64([1])),
        ("decoder.adaptive_softmax.head._float_tensor", [1], .float32([0])),
      ]
    }
    return out
  }

  static func dict(_ entries: [(String, PickleValue)]) -> PickleValue {
    let d = PickleDict()
    for (k, v) in entries { d.set(.string(k), v) }
    return .dict(d)
  }
}
