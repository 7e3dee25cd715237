import HDF5

/// A human-readable summary of a dataset file: root attributes, vocabulary, classes and each
/// split's sizes and attributes (`seqboat inspect FILE.h5`).
public enum DatasetReport {
  /// The report of the validated file `file`; `symbols` vocabulary entries are listed.
  public static func text(_ file: DatasetFile, symbols: Int = 12) throws -> String {
    var lines = [
      "\(file.path): seqboat-hdf5 dataset, task \(file.task), input \(file.inputKind.rawValue)"
    ]
    lines.append("attributes:")
    lines += try attributeLines(file.root, indent: "  ")
    if file.vocabSize > 0 {
      let vocabulary = try file.vocabularySymbols()
      let shown = vocabulary.prefix(symbols).enumerated().map { "\($0.offset)=\($0.element)" }
      lines.append(
        "vocabulary: \(file.vocabSize) symbols: " + shown.joined(separator: " ")
          + (vocabulary.count > symbols ? " ..." : ""))
    }
    if file.numClasses > 0 {
      lines.append("classes: " + (try file.classNames()).joined(separator: ", "))
    }
    for name in DatasetFormat.splitNames {
      let split = try file.split(name)
      let linked = file.root.softLinkTarget(name).map { " -> \($0)" } ?? ""
      var line =
        "split \(name)\(linked): \(split.count) \(file.inputKind == .lmTokens ? "lines" : "examples")"
      if file.inputKind == .tokens || file.inputKind == .lmTokens {
        line += ", \(split.bulkCount) tokens"
      }
      lines.append(line)
      lines += try attributeLines(split.group, indent: "  ")
      for member in try split.group.memberNames() where split.group.kind(of: member) == .dataset {
        let dataset = try split.group.openDataset(member)
        lines.append("  /\(name)/\(member): \(dataset.elementClass) \(dataset.shape)")
      }
    }
    return lines.joined(separator: "\n")
  }

  private static func attributeLines(_ object: HDF5Object, indent: String) throws -> [String] {
    try object.attributeNames().map { name in
      let (elementClass, count) = try object.attributeInfo(name)
      let value: String
      switch elementClass {
      case .string: value = "\"\(try object.stringAttribute(name))\""
      case .integer:
        let values = try object.int64ArrayAttribute(name)
        value = count == 1 ? "\(values[0])" : "\(values)"
      case .float:
        let values = try object.attributeValues(name, as: Double.self)
        value = count == 1 ? "\(values[0])" : "\(values)"
      case .other: value = "(unreadable type)"
      }
      return "\(indent)\(name) = \(value)"
    }
  }
}
