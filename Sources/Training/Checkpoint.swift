import Foundation
import HDF5
import Optim

/// A training checkpoint: everything needed to continue the identical trajectory, at any number of
/// ranks. Written by rank 0 to a temporary file in the same folder, flushed (`fsync`) and renamed
/// into place, so a crash mid-write leaves the previous file intact.
///
/// HDF5 layout (format `seqboat-checkpoint`, version 1; readable with h5dump/h5py):
/// - `/` attributes: `format`, `format_version`, `arch`, `model_args` (JSON object: every model
///   hyperparameter under its flag name, see `ModelArgs`), `train_options` (JSON of
///   `TrainOptions`), `world_size` (ranks at save), `num_updates` (completed updates; also the LR
///   scheduler's state), `epoch` (1-based epoch in progress), `batch_in_epoch` (global batches of
///   that epoch already consumed, including fp16-skipped ones), `seed` (the run seed: epoch order
///   and initialisation derive from it), `best_metric` (best validation metric so far, NaN when
///   none), `best_metric_name`, `lr_schedule_origin` (the update count where the learning-rate
///   schedule last started, 0 unless `--reset-lr-scheduler`) and `run_identity` (JSON of
///   `RunIdentity`: data file, seed, global batch, optimizer, fp16). Files without the last two
///   (older, or imported) read as origin 0 and no identity.
/// - `/model/<name>`: float32 datasets, one per parameter and buffer, under the reference
///   state-dict names (`encoder.encoder.layers.0.mega_layer.…`), shaped as the tensor.
/// - Every dataset with values carries HDF5's Fletcher-32 checksum (one chunk per dataset), which
///   HDF5 verifies on every read: a flipped byte is refused naming the dataset. Older files
///   without checksums still read. NaN or infinity in a weight or a moment is refused too.
/// - `/optimizer/<name>/exp_avg`, `/optimizer/<name>/exp_avg_sq`: float32 moments, with an int64
///   attribute `step` on the group (the parameter's own step count); attribute `name` on
///   `/optimizer` (adam or radam).
/// - `/loss_scaler` (fp16 runs only) attributes `scale`, `window`, `min_scale`, `iter`,
///   `last_overflow_iter`.
public struct Checkpoint {
  /// Model hyperparameters (`ModelArgs.table`).
  public var modelArgs: [String: String]
  /// Training options.
  public var options: TrainOptions
  /// Ranks at save.
  public var worldSize: Int
  /// Completed updates.
  public var numUpdates: Int
  /// Epoch in progress (1-based).
  public var epoch: Int
  /// Global batches of `epoch` consumed.
  public var batchInEpoch: Int
  /// Best validation metric so far.
  public var bestMetric: Double?
  /// Parameter and buffer values by state-dict name.
  public var tensors: [String: (shape: [Int], data: [Float])]
  /// Optimizer moments by parameter name.
  public var moments: [String: MomentState]
  /// fp16 loss scaler.
  public var scaler: LossScaler?
  /// Update count at which the learning-rate schedule last started (`--reset-lr-scheduler`).
  public var lrScheduleOrigin: Int
  /// The run's identity; nil for files written without one.
  public var identity: RunIdentity?
  /// Seconds of training wall time so far (fairseq's `wall`); nil for files written without it.
  public var wall: Double?

  /// The value of the `format` attribute.
  public static let format = "seqboat-checkpoint"

  /// A checkpoint with the given contents.
  public init(
    modelArgs: [String: String], options: TrainOptions, worldSize: Int, numUpdates: Int,
    epoch: Int, batchInEpoch: Int, bestMetric: Double?,
    tensors: [String: (shape: [Int], data: [Float])], moments: [String: MomentState],
    scaler: LossScaler?, lrScheduleOrigin: Int = 0, identity: RunIdentity? = nil
  ) {
    self.modelArgs = modelArgs
    self.options = options
    self.worldSize = worldSize
    self.numUpdates = numUpdates
    self.epoch = epoch
    self.batchInEpoch = batchInEpoch
    self.bestMetric = bestMetric
    self.tensors = tensors
    self.moments = moments
    self.scaler = scaler
    self.lrScheduleOrigin = lrScheduleOrigin
    self.identity = identity
  }

  /// Throws when `path` is a symbolic link: checkpoints are written in place of real files only.
  public static func refuseLink(_ path: String) throws {
    var info = stat()
    if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
      throw TrainingError("\(path): is a symbolic link; refusing to replace it")
    }
  }

  /// Removes the checkpoint temporaries (`.NAME.tmp-PID…`) in `folder` whose process is gone
  /// (a save killed mid-write); returns their names.
  @discardableResult
  public static func removeStaleTemporaries(in folder: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.filter { name in
      guard name.hasPrefix("."), let mark = name.range(of: ".tmp-") else { return false }
      let pidText = name[mark.upperBound...].prefix { $0.isNumber }
      guard let pid = Int32(pidText), kill(pid, 0) != 0, errno == ESRCH else { return false }
      return unlink(folder + "/" + name) == 0
    }
  }

  /// Writes the checkpoint to `path` atomically (temporary file, fsync, rename, fsync of the
  /// folder). The temporary, `.NAME.tmp-PID-RANDOM` beside `path`, is created exclusively (never
  /// through a planted file or link); a symbolic link at `path` is refused, not replaced. A full
  /// device or quota (ENOSPC, EDQUOT) is named as such.
  public func write(to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    let nonce = String(UInt64.random(in: 0...UInt64.max), radix: 16)
    let temporary = folder + "/.\(url.lastPathComponent).tmp-\(getpid())-\(nonce)"
    try Checkpoint.refuseLink(path)
    do {
      try writeFile(temporary)
      try Checkpoint.sync(temporary)
      guard rename(temporary, path) == 0 else {
        throw TrainingError("\(path): cannot rename \(temporary) into place")
      }
      try Checkpoint.sync(folder)
    } catch {
      let code = errno
      unlink(temporary)
      guard code == ENOSPC || code == EDQUOT else { throw error }
      throw TrainingError(
        "\(path): cannot save: \(String(cString: strerror(code))) (previous file kept)")
    }
  }

  private func writeFile(_ path: String) throws {
    let file = try HDF5File.create(path, exclusive: true)
    let root = try file.root()
    try root.setAttribute("format", string: Checkpoint.format)
    try root.setAttribute("format_version", int64: 1)
    try root.setAttribute("arch", string: modelArgs["arch"] ?? "")
    try root.setAttribute("model_args", string: try Checkpoint.json(modelArgs))
    try root.setAttribute("train_options", string: try options.json())
    try root.setAttribute("world_size", int64: Int64(worldSize))
    try root.setAttribute("num_updates", int64: Int64(numUpdates))
    try root.setAttribute("epoch", int64: Int64(epoch))
    try root.setAttribute("batch_in_epoch", int64: Int64(batchInEpoch))
    try root.setAttribute("seed", int64: Int64(bitPattern: options.seed))
    try root.setAttribute("best_metric", double: bestMetric ?? .nan)
    try root.setAttribute(
      "best_metric_name",
      string: options.bestCheckpointMetric ?? (modelArgs["task-kind"] == "lm" ? "loss" : "accuracy")
    )
    try root.setAttribute("lr_schedule_origin", int64: Int64(lrScheduleOrigin))
    if let identity { try root.setAttribute("run_identity", string: try identity.json()) }
    if let wall { try root.setAttribute("wall", double: wall) }
    let model = try root.createGroup("model")
    for (name, t) in tensors.sorted(by: { $0.key < $1.key }) {
      try model.writeDataset(name, t.data, shape: t.shape, checksum: true)
    }
    let optimizer = try root.createGroup("optimizer")
    try optimizer.setAttribute("name", string: options.optimizer)
    for (name, m) in moments.sorted(by: { $0.key < $1.key }) {
      let group = try optimizer.createGroup(name)
      try group.setAttribute("step", int64: Int64(m.step))
      try group.writeDataset("exp_avg", m.expAvg, checksum: true)
      try group.writeDataset("exp_avg_sq", m.expAvgSq, checksum: true)
    }
    if let scaler {
      let group = try root.createGroup("loss_scaler")
      try group.setAttribute("scale", double: scaler.scale)
      try group.setAttribute("window", int64: Int64(scaler.window))
      try group.setAttribute("min_scale", double: scaler.minScale)
      try group.setAttribute("iter", int64: Int64(scaler.iter))
      try group.setAttribute("last_overflow_iter", int64: Int64(scaler.lastOverflowIter))
    }
    try file.close()
  }

  /// Reads the checkpoint at `path`; failures name the file and the field.
  public static func read(_ path: String) throws -> Checkpoint {
    do {
      let file = try HDF5File.open(path)
      let root = try file.root()
      guard root.hasAttribute("format"), try root.stringAttribute("format") == format else {
        throw TrainingError("\(path): / format: not a seqboat checkpoint")
      }
      let args = try decodeTable(try root.stringAttribute("model_args"), path: path)
      let options = try TrainOptions.decode(try root.stringAttribute("train_options"))
      var tensors: [String: (shape: [Int], data: [Float])] = [:]
      let model = try root.openGroup("model")
      for name in try model.memberNames() {
        let d = try model.openDataset(name)
        tensors[name] = (d.shape, try finite(d))
      }
      var moments: [String: MomentState] = [:]
      let optimizer = try root.openGroup("optimizer")
      for name in try optimizer.memberNames() {
        let g = try optimizer.openGroup(name)
        moments[name] = MomentState(
          step: Int(try g.int64Attribute("step")),
          expAvg: try finite(g.openDataset("exp_avg")),
          expAvgSq: try finite(g.openDataset("exp_avg_sq")))
      }
      var scaler: LossScaler?
      if root.exists("loss_scaler") {
        let g = try root.openGroup("loss_scaler")
        var s = LossScaler(
          initScale: try g.doubleAttribute("scale"), window: Int(try g.int64Attribute("window")),
          minScale: try g.doubleAttribute("min_scale"))
        s.iter = Int(try g.int64Attribute("iter"))
        s.lastOverflowIter = Int(try g.int64Attribute("last_overflow_iter"))
        scaler = s
      }
      let best = try root.doubleAttribute("best_metric")
      let origin =
        root.hasAttribute("lr_schedule_origin")
        ? Int(try root.int64Attribute("lr_schedule_origin")) : 0
      let identity =
        root.hasAttribute("run_identity")
        ? try RunIdentity.decode(try root.stringAttribute("run_identity")) : nil
      var checkpoint = Checkpoint(
        modelArgs: args, options: options, worldSize: Int(try root.int64Attribute("world_size")),
        numUpdates: Int(try root.int64Attribute("num_updates")),
        epoch: Int(try root.int64Attribute("epoch")),
        batchInEpoch: Int(try root.int64Attribute("batch_in_epoch")),
        bestMetric: best.isNaN ? nil : best, tensors: tensors, moments: moments, scaler: scaler,
        lrScheduleOrigin: origin, identity: identity)
      checkpoint.wall = root.hasAttribute("wall") ? try root.doubleAttribute("wall") : nil
      try file.close()
      return checkpoint
    } catch let error as HDF5Error {
      throw TrainingError(error.description)
    } catch let error as DecodingError {
      throw TrainingError("\(path): / train_options or run_identity: \(error)")
    }
  }

  /// The values of `dataset` (its checksum verified by HDF5 when it has one); NaN or infinity is
  /// refused naming the dataset.
  static func finite(_ dataset: HDF5Dataset) throws -> [Float] {
    let values = try dataset.read(as: Float.self)
    if let i = values.firstIndex(where: { !$0.isFinite }) {
      throw dataset.error("holds \(values[i]) at index \(i); weights and moments must be finite")
    }
    return values
  }

  /// A string table as one line of JSON (sorted keys).
  static func json(_ table: [String: String]) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(table), as: UTF8.self)
  }

  static func decodeTable(_ text: String, path: String) throws -> [String: String] {
    do {
      return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    } catch {
      throw TrainingError("\(path): / model_args: not a JSON object of strings")
    }
  }

  /// fsync of a file or folder.
  static func sync(_ path: String) throws {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw TrainingError("\(path): cannot open to fsync") }
    defer { close(fd) }
    guard fsync(fd) == 0 else { throw TrainingError("\(path): fsync failed") }
  }
}
