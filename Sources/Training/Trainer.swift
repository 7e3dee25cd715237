import Distributed
import Layers
import Models
import Optim
import Tensor

/// What one update did, summed over ranks and micro-batches.
public struct UpdateResult {
  /// Summed loss (nats) over the global batch.
  public var lossSum: Double
  /// Σ sample_size (sentences or target tokens).
  public var sampleSize: Double
  /// Correct predictions (classification).
  public var correct: Double
  /// Gradient norm before clipping (of the normalised gradient).
  public var gradNorm: Double
  /// The learning rate the update used (0 when skipped).
  public var lr: Double
  /// The loss scale the update used (1 in fp32).
  public var lossScale: Double
  /// Whether the step was skipped (fp16 overflow).
  public var skipped: Bool
  /// Whether some rank asked to stop (agreed across ranks).
  public var stopRequested: Bool
  /// This rank's SeqBoat router records, micro-batch after micro-batch (empty for Mega).
  public var routers: [RouterRecord]
}

/// The data-parallel update of MODEL.md §6.1: per micro-batch forward, summed loss and backward on
/// this rank's rows (gradients accumulate), gradients summed over ranks in buckets that start
/// reducing while the last micro-batch's backward is still running, multiplied by
/// 1/Σsample_size (global), clipped by the global norm, then the optimizer steps every parameter
/// that had a gradient on some rank, with the learning rate `lr(k−1)` for update k.
///
/// Each micro-batch runs in its own `ForwardContext`: train mode, a dropout key derived from
/// (seed, update, micro-batch) with masks keyed by global example, and the communicator for layers that reduce over ranks; a
/// collective that fails inside a layer (forward or backward) is raised here as an error.
///
/// fp16 (fairseq semantics, MODEL.md §6.6): the optimizer's weights are the fp32 masters; forward
/// and backward run on the weights rounded to Float16 (`Module.withHalfWeights`: every activation
/// and every gradient between ops rounded to half, the loss a float32 island), backward starts from the loss
/// times the dynamic scale, gradients are summed over ranks in Float16, then unscaled. A
/// non-finite gradient norm (agreed by all ranks) skips the step and halves the scale.
///
/// With sharded optimizer state (`zeroSharding`, fairseq's `--zero-sharding os`) gradients are
/// reduce-scattered instead of all-reduced and each rank steps its slice (`OptimizerShard`); the
/// trajectory is the same up to float summation order.
public final class Trainer {
  /// The model.
  public let model: Model
  /// The model's parameters, in state-dict order.
  public let parameters: [(name: String, tensor: Tensor)]
  /// The world.
  public let communicator: Communicator
  /// Adam or RAdam (with sharded state, over this rank's slice only: read and restore the whole
  /// state through `optimizerState()` and `restoreOptimizerState(_:)`).
  public let optimizer: Optimizer
  /// The learning-rate schedule.
  public let schedule: LRSchedule
  /// `--clip-norm` (0: no clipping).
  public let clipNorm: Double
  /// The dynamic loss scaler in fp16 mode, nil in fp32.
  public var scaler: LossScaler?
  /// The run seed; dropout masks of update k follow (seed, k, global example) only.
  public let dropoutSeed: UInt64
  /// Completed updates (the schedule's position).
  public var numUpdates = 0
  /// The gradient all-reduce; nil for a single fp32 process, where there is nothing to sum and
  /// the buckets' flat copy of every gradient would only cost memory, and with sharded state.
  private let buckets: GradientBuckets?
  /// This rank's slice of sharded optimizer state; nil when every rank keeps the whole state.
  private let shard: OptimizerShard?

  /// A trainer of `model` over `communicator`; `scaler` non-nil selects fp16; `zeroSharding`
  /// spreads the optimizer state over the ranks.
  public init(
    model: Model, communicator: Communicator, optimizer: Optimizer, schedule: LRSchedule,
    clipNorm: Double, scaler: LossScaler?, dropoutSeed: UInt64 = 0, zeroSharding: Bool = false
  ) throws {
    self.dropoutSeed = dropoutSeed
    self.model = model
    parameters = model.parameters
    self.communicator = communicator
    self.optimizer = optimizer
    self.schedule = schedule
    self.clipNorm = clipNorm
    self.scaler = scaler
    let precision: GradientBuckets.Precision = scaler == nil ? .float32 : .float16
    shard =
      zeroSharding
      ? OptimizerShard(
        parameters: parameters, optimizer: optimizer, communicator: communicator,
        precision: precision)
      : nil
    buckets =
      zeroSharding || (communicator.size == 1 && scaler == nil)
      ? nil
      : try GradientBuckets(
        communicator: communicator, sizes: parameters.map(\.tensor.count), precision: precision)
  }

  /// The optimizer's whole per-parameter state; with sharded state it is gathered onto rank 0
  /// one rank's slice at a time (collective: every rank calls it; the others get an empty table).
  public func optimizerState() throws -> [String: MomentState] {
    try shard?.consolidatedState() ?? optimizer.state
  }

  /// Restores whole per-parameter state (a checkpoint's, saved sharded or not, at any world size).
  public func restoreOptimizerState(_ state: [String: MomentState]) throws {
    if let shard { try shard.restore(state) } else { optimizer.state = state }
  }

  /// Runs `body` on the half model in fp16 mode (fairseq casts the model to half for training and
  /// validation); in fp32 mode it just runs `body`.
  public func asHalfModel<T>(_ body: () throws -> T) rethrows -> T {
    try model.withHalfWeights(scaler != nil, body)
  }

  /// The forward context of micro-batch `index` of the next update: its dropout key follows
  /// (seed, update, micro-batch) and the masks the global example index within `examples`; without
  /// `examples` (ranks with batches of their own) the key follows the rank too.
  private func context(microBatch index: Int, examples: ExampleSpan?) -> ForwardContext {
    let rank = examples == nil ? UInt64(communicator.rank) : 0
    var stream = SplitMix64(seed: dropoutSeed &+ UInt64(numUpdates) << 16 &+ rank)
    for _ in 0..<index { _ = stream.next() }
    return ForwardContext(
      training: true, dropoutKey: stream.next(), examples: examples, collective: communicator)
  }

  /// One update on this rank's micro-batches (the same number on every rank). `spans` places
  /// each micro-batch's rows in the micro-batch over all ranks (nil: every rank has a batch of
  /// its own, as in `bench`). `stopRequested` is this rank's wish to stop after this update; the
  /// result says whether any rank wished it.
  public func update(_ microBatches: [MicroBatch], spans: [ExampleSpan?]?, stopRequested: Bool)
    throws -> UpdateResult
  {
    let tensors = parameters.map(\.tensor)
    let scale = scaler?.scale ?? 1
    var totals = [0, 0, 0, stopRequested ? 1 : 0] as [Double]
    var routers: [RouterRecord] = []
    try asHalfModel {
      for (i, batch) in microBatches.enumerated() {
        let ctx = context(microBatch: i, examples: spans?[i])
        let stats = try model.loss(batch, ctx)
        totals[0] += Double(stats.loss.item)
        totals[1] += Double(stats.sampleSize)
        totals[2] += Double(stats.correct)
        let scaled = scaler == nil ? stats.loss : stats.loss.scaled(Float(scale))
        if i == microBatches.count - 1, let buckets {
          try buckets.backward(scaled, parameters: tensors)
        } else {
          scaled.backward()
        }
        try ctx.checkCollectives()
        routers += ctx.routers
      }
    }
    try communicator.allReduce(&totals)
    let factor = Float(1 / (scale * max(totals[1], 1)))
    let norm: Double
    if let shard {
      norm = try shard.reduce(tensors, factor: factor, clipNorm: clipNorm)
    } else {
      try buckets?.finish(tensors)
      for t in tensors where t.grad != nil {
        t.grad!.withUnsafeMutableBufferPointer { g in for i in 0..<g.count { g[i] *= factor } }
      }
      norm = clipGradientNorm(tensors, maxNorm: clipNorm)
    }
    var result = UpdateResult(
      lossSum: totals[0], sampleSize: totals[1], correct: totals[2], gradNorm: norm, lr: 0,
      lossScale: scale, skipped: false, stopRequested: totals[3] > 0, routers: routers)
    defer { model.zeroGrad() }
    if scaler != nil {
      var overflow = [norm.isFinite ? 0 : 1] as [Double]
      try communicator.allReduce(&overflow, .max)
      if overflow[0] > 0 {
        try scaler!.update(overflow: true)
        result.skipped = true
        return result
      }
    } else if !norm.isFinite {
      throw TrainingError(
        "gradient norm is \(norm) at update \(numUpdates + 1): the loss diverged (lower --lr)")
    }
    result.lr = schedule.lr(forUpdate: numUpdates + 1)
    if let shard {
      try shard.step(tensors, lr: result.lr)
    } else {
      try optimizer.step(parameters, lr: result.lr)
    }
    numUpdates += 1
    try scaler?.update(overflow: false)
    return result
  }
}
