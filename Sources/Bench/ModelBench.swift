import Distributed
import Layers
import Models
import Optim
import Tensor
import Training

/// How `seqboat bench` measures.
public struct BenchOptions {
  /// Threads of every kernel (`ThreadCount.run`); the reference sgemm runs on as many OpenBLAS
  /// threads.
  public var threads: Int
  /// Timed steps (the median is reported).
  public var steps: Int
  /// Untimed steps before.
  public var warmup: Int
  /// Side of the reference sgemm.
  public var sgemmSize: Int
  /// fp16 training steps (`seqboat train --fp16`: half activations and gradients, loss scaling)
  /// and half forward passes.
  public var fp16: Bool
  /// Sharded optimizer state (`train --zero-sharding os`): each rank keeps its slice's moments.
  public var zeroSharding: Bool

  /// Options; the defaults are those of the table.
  public init(
    threads: Int = 1, steps: Int = 5, warmup: Int = 1, sgemmSize: Int = 2048, fp16: Bool = false,
    zeroSharding: Bool = false
  ) {
    self.threads = threads
    self.steps = steps
    self.warmup = warmup
    self.sgemmSize = sgemmSize
    self.fp16 = fp16
    self.zeroSharding = zeroSharding
  }
}

/// `seqboat bench --config`: one training configuration on random data, timed as full training
/// steps (forward, loss, backward, gradient all-reduce over the ranks of `communicator`, or the
/// reduce-scatter and all-gather of sharded optimizer state, clipping, Adam) and as forward passes; speed as model FLOPs (MODEL.md §9) against an sgemm of the same run.
public enum ModelBench {
  /// Measures `shape` with `options` on every rank of `communicator` (each rank holds `batch`
  /// sequences); times are the slowest rank's.
  public static func run(_ shape: BenchShape, options: BenchOptions, communicator: Communicator)
    throws -> BenchResult
  {
    guard options.threads >= 1, options.steps >= 1, options.warmup >= 0 else {
      throw TrainingError("bench: --threads and --steps must be at least 1")
    }
    MemoryPolicy.reuseFreedMemory()
    BLAS.setThreads(options.threads)
    let sgemm = SgemmBench.gflops(size: options.sgemmSize)
    return try ThreadCount.run(threads: options.threads) {
      try measure(shape, options: options, communicator: communicator, sgemm: sgemm)
    }
  }

  /// The timed steps of `run`, on the threads bound around it.
  private static func measure(
    _ shape: BenchShape, options: BenchOptions, communicator: Communicator,
    sgemm: (wall: Double, cpu: Double)
  ) throws -> BenchResult {
    let model = makeModel(shape.config, seed: 1)
    let trainer = try Trainer(
      model: model, communicator: communicator,
      optimizer: Adam(betas: (0.9, 0.98), eps: 1e-8, weightDecay: 0.01),
      schedule: try FixedSchedule(lr: 1e-5), clipNorm: 1,
      scaler: options.fp16 ? LossScaler(initScale: 128, window: 1 << 14, minScale: 1e-4) : nil,
      zeroSharding: options.zeroSharding)
    let batch = shape.randomBatch(seed: 11 + UInt64(communicator.rank))
    let flopModel = FlopModel(shape.config)
    var trainRouters = RouterTally(shape)
    try communicator.barrier()
    let trainTimes = try BenchClock.times(warmup: options.warmup, repeats: options.steps) {
      trainRouters.add(try trainer.update([batch], spans: nil, stopRequested: false).routers)
    }
    var forwardRouters = RouterTally(shape)
    try communicator.barrier()
    let forwardTimes = try BenchClock.times(warmup: options.warmup, repeats: options.steps) {
      let ctx = ForwardContext(training: true, collective: communicator)
      _ = try model.withHalfWeights(options.fp16) {
        try GradMode.withoutGrad { try model.loss(batch, ctx) }
      }
      forwardRouters.add(ctx.routers)
    }
    let (tokens, targets) = batch.tokensAndTargets
    func flops(_ tally: RouterTally) -> Double {
      let calls = tally.history.isEmpty ? [[]] : tally.history
      return calls.reduce(0) {
        $0
          + flopModel.forwardFLOPs(
            batch: shape.batch, length: shape.length, compressedLengths: $1, tokens: tokens,
            targets: targets)
      } / Double(calls.count)
    }
    var slowest = [trainTimes.wall, forwardTimes.wall, trainTimes.cpu, forwardTimes.cpu].map {
      BenchClock.median($0)
    }
    try communicator.allReduce(&slowest, .max)
    var summed = [3 * flops(trainRouters), flops(forwardRouters)]
    try communicator.allReduce(&summed, .sum)
    var peaks = [Double](repeating: 0, count: communicator.size)
    peaks[communicator.rank] = BenchClock.peakResidentMB()
    try communicator.allReduce(&peaks, .sum)
    return BenchResult(
      config: shape.name, arch: shape.config.arch, fp16: options.fp16, threads: options.threads,
      ranks: communicator.size, batch: shape.batch, length: shape.length,
      blasCore: BLAS.coreName, sgemmGFLOPs: sgemm.wall, sgemmCPUGFLOPs: sgemm.cpu,
      trainMs: slowest[0] * 1e3, trainCPUMs: slowest[2] * 1e3, trainFLOPs: summed[0],
      forwardMs: slowest[1] * 1e3, forwardCPUMs: slowest[3] * 1e3, forwardFLOPs: summed[1],
      activatedFraction: trainRouters.activatedFraction,
      compressedFraction: trainRouters.compressedFraction,
      peakRSSMB: peaks[communicator.rank], zeroSharding: options.zeroSharding,
      peakRSSPerRankMB: peaks)
  }
}

/// SeqBoat router statistics of the timed steps: per call and layer the executed compressed
/// length (0 when nothing is active, L on the uncompressed path), and the activated tokens.
struct RouterTally {
  let shape: BenchShape
  var history: [[Int]] = []
  var activeTokens: [Double] = []

  init(_ shape: BenchShape) { self.shape = shape }

  mutating func add(_ routers: [RouterRecord]) {
    guard !routers.isEmpty else { return }
    if activeTokens.isEmpty { activeTokens = Array(repeating: 0, count: routers.count) }
    for (i, r) in routers.enumerated() {
      activeTokens[i] += Double(r.decision.active.reduce(0) { $0 + ($1 ? 1 : 0) })
    }
    history.append(
      routers.map { r in
        r.compressedLength == 0 ? 0 : r.compressed ? r.compressedLength : shape.length
      })
  }

  /// Per layer: the mean activated fraction of the batch's tokens (empty for Mega).
  var activatedFraction: [Double] {
    activeTokens.map { $0 / Double(max(history.count, 1) * shape.tokens) }
  }

  /// Per layer: the mean executed compressed length over L (empty for Mega).
  var compressedFraction: [Double] {
    guard let first = history.first else { return [] }
    return first.indices.map { i in
      history.reduce(0) { $0 + Double($1[i]) } / Double(history.count * shape.length)
    }
  }
}
