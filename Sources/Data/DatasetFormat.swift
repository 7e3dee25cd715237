/// Names and constants of the `seqboat-hdf5` container, format version 1 (DATASETS.md 2).
public enum DatasetFormat {
  /// The value of the root attribute `format`.
  public static let name = "seqboat-hdf5"
  /// The value of the root attribute `format_version` this code reads and writes.
  public static let version: Int64 = 1
  /// The split group names, in the order they are listed.
  public static let splitNames = ["train", "valid", "test"]
  /// `<s>`.
  public static let bosID: Int32 = 0
  /// `<pad>`: right padding of token batches.
  public static let padID: Int32 = 1
  /// `</s>`: appended to every sequence and line.
  public static let eosID: Int32 = 2
  /// `<unk>`.
  public static let unkID: Int32 = 3
  /// The four special symbols, in id order.
  public static let specialSymbols = ["<s>", "<pad>", "</s>", "<unk>"]
}

/// What a dataset's examples are (root attribute `input_kind`).
public enum InputKind: String, CaseIterable, Sendable {
  /// Variable-length token sequences with a class label (listops, text, retrieval).
  case tokens
  /// Fixed-size 8-bit grey images with a class label (image, pathfinder, pathx).
  case pixels
  /// Fixed-length 16-bit PCM clips with a class label (sc10).
  case audio
  /// One token stream per split for language modelling (wikitext103, enwik8).
  case lmTokens = "lm_tokens"
}
