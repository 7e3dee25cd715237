import Data
import Distributed
import Foundation
import HDF5

/// What makes a training run the run it is, besides the model's hyperparameters (kept in
/// `model_args`): the data file, the seed, the global batch, the optimizer and the precision.
/// Stored in every checkpoint (root attribute `run_identity`, JSON) and compared on resume, so a
/// run is never continued with another data file or optimizer by accident.
public struct RunIdentity: Codable, Equatable {
  /// Bytes of the data file.
  public var dataSize: Int64
  /// FNV-1a 64 (hex) of the data file's header: every root attribute and every split's size.
  public var dataDigest: String
  /// `--seed`.
  public var seed: UInt64
  /// `--batch-size` (global).
  public var batchSize: Int
  /// `--optimizer`.
  public var optimizer: String
  /// `--fp16`.
  public var fp16: Bool

  /// The identity of a run with `options` reading `file`.
  public init(options: TrainOptions, file: DatasetFile) throws {
    var info = stat()
    guard stat(file.path, &info) == 0 else {
      throw TrainingError("\(file.path): cannot stat: \(String(cString: strerror(errno)))")
    }
    dataSize = Int64(info.st_size)
    dataDigest = String(fnv1a64(try RunIdentity.header(file)), radix: 16)
    seed = options.seed
    batchSize = options.batchSize
    optimizer = options.optimizer
    fp16 = options.fp16
  }

  /// The text the data digest covers: `name=value` for each root attribute in name order, then
  /// `split rows bulk` for each split.
  static func header(_ file: DatasetFile) throws -> String {
    let root = file.root
    var lines = try root.attributeNames().map { name -> String in
      let (kind, _) = try root.attributeInfo(name)
      let value =
        kind == .string
        ? try root.stringAttribute(name)
        : try root.attributeValues(name, as: Double.self).map { "\($0)" }.joined(separator: ",")
      return name + "=" + value
    }
    for (name, split) in file.splits.sorted(by: { $0.key < $1.key }) {
      lines.append("\(name) \(split.count) \(split.bulkCount)")
    }
    return lines.joined(separator: "\n")
  }

  /// A field that differs between a checkpoint and this run.
  public struct Change: Equatable {
    /// The option, as on the command line (`--seed`).
    public var flag: String
    /// The checkpoint's value.
    public var saved: String
    /// This run's value.
    public var now: String
    /// The fairseq flags that declare the change intended (all of them are needed).
    public var allowedBy: [String]
  }

  /// The fields of `saved` (a checkpoint's identity) that differ from this one, in a fixed order.
  public func changes(from saved: RunIdentity) -> [Change] {
    let data = { (i: RunIdentity) in "\(i.dataSize) bytes, header \(i.dataDigest)" }
    let fields: [Change] = [
      Change(
        flag: "--data", saved: data(saved), now: data(self),
        allowedBy: ["--reset-dataloader", "--reset-meters"]),
      Change(
        flag: "--seed", saved: "\(saved.seed)", now: "\(seed)", allowedBy: ["--reset-dataloader"]),
      Change(
        flag: "--batch-size", saved: "\(saved.batchSize)", now: "\(batchSize)",
        allowedBy: ["--reset-dataloader"]),
      Change(
        flag: "--optimizer", saved: saved.optimizer, now: optimizer,
        allowedBy: ["--reset-optimizer"]),
      Change(
        flag: "--fp16", saved: "\(saved.fp16)", now: "\(fp16)", allowedBy: ["--reset-optimizer"]),
    ]
    return fields.filter { $0.saved != $0.now }
  }

  /// The identity as one line of JSON (sorted keys).
  func json() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }

  /// An identity read back from `json()`.
  static func decode(_ text: String) throws -> RunIdentity {
    try JSONDecoder().decode(RunIdentity.self, from: Data(text.utf8))
  }
}
