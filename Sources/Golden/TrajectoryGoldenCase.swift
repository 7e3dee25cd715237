import Layers
import Models
import Optim
import Tensor

/// Golden kind `train_trajectory` (`LRAModel`): replays the stored batches from
/// `/params_initial` with fairseq's Adam, the linear-decay schedule and global-norm clipping, and
/// compares every step's loss, gradient norm and learning rate (the worst step of each series is
/// reported) and the final parameters.
enum TrajectoryGoldenCase {
  static func run(_ file: GoldenFile) throws -> [GoldenComparison] {
    let c = file.config
    let trainer = try c.nested("trainer")
    let opt = try c.nested("optimizer")
    let sched = try c.nested("lr_scheduler")
    guard try opt.string("name") == "adam", try sched.string("name") == "linear_decay",
      try trainer.string("criterion") == "lra_cross_entropy", try trainer.bool("sentence_avg"),
      try trainer.double("update_freq") == 1, try trainer.string("clip_mode") == "total"
    else {
      throw GoldenError.unsupported("trajectory optimizer, schedule or trainer settings")
    }
    let optimizer: Adam
    let schedule: LinearDecaySchedule
    do {
      optimizer = Adam(
        betas: try parseAdamBetas(opt.string("adam_betas")), eps: try opt.double("adam_eps"),
        weightDecay: try opt.double("weight_decay"))
      schedule = try LinearDecaySchedule(
        lr: try opt.double("lr"), warmupUpdates: Int(try sched.double("warmup_updates")),
        warmupInitLR: try sched.double("warmup_init_lr"),
        warmupPower: Int(try sched.double("warmup_power")),
        totalNumUpdate: Int(try sched.double("total_num_update")),
        endLearningRate: try sched.double("end_learning_rate"))
    } catch let error as GoldenError {
      throw error
    } catch {
      throw GoldenError.invalid("trajectory config: \(error)")
    }
    let config = try ModelGoldenCase.modelConfig(file)
    guard config.task != .lm, config.input == .tokens, !config.twoInputs else {
      throw GoldenError.unsupported("trajectory of a model other than a token classifier")
    }
    let model = makeModel(config)
    try ModelGoldenCase.load(model, file, group: "/params_initial")
    let training = try trainer.string("mode") == "train"
    let clip = try trainer.double("clip_norm")
    let steps = Int(try trainer.double("steps"))
    var losses: [Double] = []
    var norms: [Double] = []
    var rates: [Double] = []
    let params = model.parameters
    for k in 0..<steps {
      let tokens = try file.array("/batches/step_\(k)/tokens")
      let targets = try file.array("/batches/step_\(k)/targets")
      let batch = tokens.shape[0]
      model.zeroGrad()
      let batchLoss = try model.loss(
        .classification(
          .tokens(tokens.values.map { Int($0) }, batch: batch),
          targets: targets.values.map { Int($0) }),
        ForwardContext(training: training))
      let sum = batchLoss.loss
      sum.backward()
      let inv = 1 / Float(batch)
      for (_, p) in params where p.grad != nil {
        p.grad!.withUnsafeMutableBufferPointer { g in for i in 0..<g.count { g[i] *= inv } }
      }
      losses.append(Double(sum.item) / Double(batch))
      norms.append(clipGradientNorm(params.map(\.tensor), maxNorm: clip))
      let lr = schedule.lr(afterUpdates: k)
      rates.append(lr)
      do { try optimizer.step(params, lr: lr) } catch {
        throw GoldenError.invalid("optimizer step \(k): \(error)")
      }
    }
    var results = [
      try worstStep("/trajectory/loss", losses, file, tolerance: file.tolerance("loss_rtol")),
      try worstStep(
        "/trajectory/grad_norm", norms, file, tolerance: file.tolerance("grad_norm_rtol")),
      try worstStep("/trajectory/lr", rates, file, tolerance: 1e-6),
    ]
    let finalTol = try file.tolerance("params_atol_rel")
    let byName = Dictionary(params.map { ($0.name, $0.tensor) }) { a, _ in a }
    for (name, ref) in try file.arrays(under: "/params_final").sorted(by: { $0.key < $1.key }) {
      let path = "/params_final/" + name
      guard let p = byName[name] else {
        results.append(GoldenComparison(missing: path, tolerance: finalTol))
        continue
      }
      results.append(
        GoldenComparison(
          path: path, got: p.data.map(Double.init), reference: ref, tolerance: finalTol))
    }
    return results
  }

  /// The comparison of the step whose relative error `|got − ref| / |ref|` is largest: the series
  /// passes iff every step does.
  private static func worstStep(
    _ path: String, _ got: [Double], _ file: GoldenFile, tolerance: Double
  ) throws -> GoldenComparison {
    let ref = try file.array(path)
    guard ref.values.count == got.count, !got.isEmpty else {
      return GoldenComparison(path: path, got: got, reference: ref, tolerance: tolerance)
    }
    let errors = zip(got, ref.values).map { abs($0 - $1) / max(abs($1), .leastNormalMagnitude) }
    let k = errors.indices.max { errors[$0] < errors[$1] }!
    return GoldenComparison(
      path: "\(path)[step \(k)]", got: [got[k]],
      reference: GoldenArray(shape: [], values: [ref.values[k]], isInteger: false),
      tolerance: tolerance)
  }
}
