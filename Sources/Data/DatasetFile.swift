import HDF5

/// A validated `seqboat-hdf5` dataset file open read-only (DATASETS.md 2). Opening reads the
/// attributes, the vocabulary and class names, and every split's offsets, labels and lengths
/// whole and checks them (2.6); bulk arrays are read per batch by `DatasetSplit`.
public final class DatasetFile {
  /// The path the file was opened with.
  public let path: String
  /// The root group of the open file.
  public let root: HDF5Group
  /// The task id (`listops`, `text`, ...).
  public let task: String
  /// What the examples are.
  public let inputKind: InputKind
  /// Number of classes (0 for language modelling).
  public let numClasses: Int
  /// The truncation limit applied by the converter, eos included.
  public let maxLength: Int
  /// The seed the converter split with.
  public let splitSeed: Int64
  /// Size of the stored vocabulary V (token and LM tasks; 0 otherwise).
  public let vocabSize: Int
  /// The `<CLS>` id of LRA text tasks (= V), when stored.
  public let clsID: Int?
  /// Pixel geometry and normalisation (pixel tasks).
  public let image: ImageInfo?
  /// Audio constants and per-position statistics (audio tasks).
  public let audio: AudioInfo?
  /// The `train`, `valid` and `test` splits.
  public let splits: [String: DatasetSplit]

  /// The default in-memory budget per rank: 2 GiB (DATASETS.md 2.5).
  public static let defaultMemoryBudget = 2 << 30

  /// Opens and validates the dataset file at `path`; failures are one line naming the file and
  /// the field. Splits whose bulk arrays fit what is left of `memoryBudget` bytes (train first,
  /// then valid, test) are read whole now; the others are read per batch.
  public static func open(_ path: String, memoryBudget: Int = defaultMemoryBudget) throws
    -> DatasetFile
  {
    do {
      return try DatasetFile(path: path, memoryBudget: memoryBudget)
    } catch let error as HDF5Error {
      throw DataError(error.description)
    }
  }

  private init(path: String, memoryBudget: Int) throws {
    self.path = path
    let check = DatasetChecks(file: path)
    root = try HDF5File.open(path).root()
    let format = try check.string(root, "format")
    guard format == DatasetFormat.name else {
      throw check.fail("format", "is \"\(format)\", expected \"\(DatasetFormat.name)\"")
    }
    let version = try check.int(root, "format_version")
    guard Int64(version) == DatasetFormat.version else {
      throw check.fail(
        "format_version", "is \(version), this reader knows \(DatasetFormat.version)")
    }
    task = try check.string(root, "task")
    let kindName = try check.string(root, "input_kind")
    guard let kind = InputKind(rawValue: kindName) else {
      throw check.fail("input_kind", "unknown value \"\(kindName)\"")
    }
    inputKind = kind
    numClasses = try check.int(root, "num_classes")
    maxLength = try check.int(root, "max_length")
    splitSeed = Int64(try check.int(root, "split_seed"))
    guard numClasses >= 0, maxLength > 0 else {
      throw check.fail("num_classes", "\(numClasses) with max_length \(maxLength) is invalid")
    }
    guard (kind == .lmTokens) == (numClasses == 0) else {
      throw check.fail("num_classes", "is \(numClasses) for input kind \(kind.rawValue)")
    }
    if kind == .tokens || kind == .lmTokens {
      vocabSize = try DatasetFile.checkVocabulary(root, check)
      clsID = root.hasAttribute("cls_id") ? try check.int(root, "cls_id") : nil
    } else {
      vocabSize = 0
      clsID = nil
    }
    image = kind == .pixels ? try ImageInfo(root: root, check: check) : nil
    audio = kind == .audio ? try AudioInfo(root: root, check: check) : nil
    if numClasses > 0 {
      let offsets = try check.offsetTable(root, "classes/offsets", into: "classes/bytes").offsets
      guard offsets.count == numClasses + 1 else {
        throw check.fail(
          "/classes/offsets",
          "has \(offsets.count) entries, expected num_classes + 1 = \(numClasses + 1)")
      }
    }
    var splits: [String: DatasetSplit] = [:]
    var budget = memoryBudget
    for name in DatasetFormat.splitNames {
      guard root.exists(name), root.kind(of: name) == .group else {
        throw check.fail("/" + name, "missing split group")
      }
      splits[name] = try DatasetSplit(
        group: root.openGroup(name), name: name, kind: kind, task: task, numClasses: numClasses,
        vocabSize: vocabSize, image: image, audio: audio, check: check)
      budget -= try splits[name]!.loadResident(kind: kind, budget: budget)
    }
    self.splits = splits
  }

  /// The split `name` (`train`, `valid` or `test`).
  public func split(_ name: String) throws -> DatasetSplit {
    guard let split = splits[name] else {
      throw DataError(file: path, field: "/" + name, "no such split (train, valid, test)")
    }
    return split
  }

  /// The vocabulary symbols in id order (token and LM tasks).
  public func vocabularySymbols() throws -> [String] {
    try DatasetFile.strings(root, "vocab")
  }

  /// The class names in class order (classification tasks).
  public func classNames() throws -> [String] {
    try DatasetFile.strings(root, "classes")
  }

  /// The strings stored as `group/bytes` + `group/offsets` under `root` (`vocab`, `classes`,
  /// `sources`).
  public static func strings(_ root: HDF5Group, _ group: String) throws -> [String] {
    let bytes: [UInt8] = try root.openDataset(group + "/bytes").read()
    let offsets: [Int64] = try root.openDataset(group + "/offsets").read()
    return zip(offsets, offsets.dropFirst()).map {
      String(decoding: bytes[Int($0)..<Int($1)], as: UTF8.self)
    }
  }

  private static func checkVocabulary(_ root: HDF5Group, _ check: DatasetChecks) throws -> Int {
    let size = try check.int(root, "vocab_size")
    let expected: [(String, Int32)] = [
      ("bos_id", DatasetFormat.bosID), ("pad_id", DatasetFormat.padID),
      ("eos_id", DatasetFormat.eosID), ("unk_id", DatasetFormat.unkID),
    ]
    for (name, value) in expected {
      let stored = try check.int(root, name)
      guard stored == Int(value) else { throw check.fail(name, "is \(stored), expected \(value)") }
    }
    let offsets = try check.offsetTable(root, "vocab/offsets", into: "vocab/bytes").offsets
    guard offsets.count == size + 1 else {
      throw check.fail(
        "vocab_size",
        "is \(size) but /vocab/offsets has \(offsets.count) entries (expected vocab_size + 1)")
    }
    let counts = try check.dataset(root, "vocab/counts", rank: 1)
    guard counts.count == size else {
      throw check.fail("/vocab/counts", "has \(counts.count) entries, expected vocab_size \(size)")
    }
    return size
  }
}
