import Models
import Optim
import Pickle
import Training

/// The training options of a fairseq `args` namespace that seqboat's `TrainOptions` hold; what
/// they cannot hold is reported as a note.
enum FairseqTrainOptions {
  static func options(_ args: FairseqNamespace, notes: inout [String]) -> TrainOptions {
    var o = TrainOptions()
    func int(_ key: String) -> Int? { args[key]?.int }
    func double(_ key: String) -> Double? { args[key]?.double }
    if let v = int("seed"), v >= 0 { o.seed = UInt64(v) }
    if let v = args["lr"]?.items?.first?.double ?? double("lr") { o.lr = v }
    if let v = args["adam_betas"]?.string { o.adamBetas = v }
    if let v = double("adam_eps") { o.adamEps = v }
    if let v = double("weight_decay") { o.weightDecay = v }
    if let v = int("max_update") { o.maxUpdate = v }
    if let v = int("max_epoch") { o.maxEpoch = v }
    if let v = double("clip_norm") { o.clipNorm = v }
    if let v = int("warmup_updates") { o.warmupUpdates = v }
    if let v = double("warmup_init_lr") { o.warmupInitLR = v }
    if let v = int("total_num_update") { o.totalNumUpdate = v }
    if let v = double("end_learning_rate") { o.endLearningRate = v }
    if let v = args["update_freq"]?.items?.first?.int { o.updateFreq = v }
    if let v = int("tokens_per_sample") { o.tokensPerSample = v }
    if let v = args["sample_break_mode"]?.string { o.sampleBreakMode = v }
    if let v = args["sentence_avg"], case .bool(let b) = v { o.sentenceAvg = b }
    if let name = args["lr_scheduler"]?.string, name != o.lrScheduler {
      if lrScheduleNames.contains(name) {
        o.lrScheduler = name
      } else {
        notes.append(
          "args.lr_scheduler '\(name)' is not implemented; the checkpoint keeps "
            + "\(o.lrScheduler) (give --lr-scheduler to train)")
      }
    }
    if let name = args["optimizer"]?.string, name != "adam" {
      notes.append("args.optimizer '\(name)' is not carried; the checkpoint names adam")
    }
    return o
  }

  /// `extra_state.best` where it is the metric seqboat keeps (loss for language models, accuracy
  /// in percent for classifiers).
  static func bestMetric(
    _ extra: PickleDict?, args: FairseqNamespace, config: ModelConfig, notes: inout [String]
  ) -> Double? {
    guard let best = extra?["best"]?.double else { return nil }
    let metric = args["best_checkpoint_metric"]?.string ?? "loss"
    guard metric == (config.task == .lm ? "loss" : "accuracy") else {
      notes.append("extra_state.best is of metric '\(metric)', which seqboat does not keep")
      return nil
    }
    return best
  }
}
