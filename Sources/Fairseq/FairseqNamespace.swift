import Models
import Pickle

/// fairseq's `args` (an `argparse.Namespace`): its entries in order, as plain pickle values.
public struct FairseqNamespace {
  /// Name → value, in the order the namespace holds them.
  public let entries: [(name: String, value: PickleValue)]

  /// The namespace `value` holds; throws naming `field` when it is not one.
  public init(_ value: PickleValue, field: String) throws {
    guard case .object(let object) = value, object.callable == "argparse Namespace",
      let dict = object.state.dict
    else {
      throw TorchFileError("\(field) is not an argparse Namespace")
    }
    entries = try dict.entries.map { entry in
      guard let name = entry.key.string else {
        throw TorchFileError("\(field) has a name that is not a string")
      }
      return (name, entry.value)
    }
  }

  /// The value of `name`.
  public subscript(_ name: String) -> PickleValue? {
    entries.first { $0.name == name }?.value
  }

  /// The entries as command-line text (Python's spelling of None, booleans and numbers; lists as
  /// `a,b`), None as nil.
  public var texts: [(name: String, value: String?)] {
    entries.map { ($0.name, FairseqNamespace.text($0.value)) }
  }

  /// The namespace as JSON, as the reference's `vars(args)` (scalars and lists of them).
  public var json: JSONValue {
    .object(Dictionary(entries.map { ($0.name, FairseqNamespace.json($0.value)) }) { a, _ in a })
  }

  static func text(_ value: PickleValue) -> String? {
    switch value {
    case .none: return nil
    case .bool(let b): return b ? "True" : "False"
    case .int(let i): return String(i)
    case .float(let d): return String(d)
    case .string(let s): return s
    case .tuple(let items): return items.compactMap(text).joined(separator: ",")
    case .list(let list): return list.items.compactMap(text).joined(separator: ",")
    default: return "<object>"
    }
  }

  static func json(_ value: PickleValue) -> JSONValue {
    switch value {
    case .bool(let b): return .bool(b)
    case .int(let i): return .number(Double(i))
    case .float(let d): return .number(d)
    case .string(let s): return .string(s)
    case .tuple(let items): return .array(items.map { scalarJSON($0) })
    case .list(let list): return .array(list.items.map { scalarJSON($0) })
    default: return .null
    }
  }

  /// Lists hold scalars only (no recursion into nested containers).
  private static func scalarJSON(_ value: PickleValue) -> JSONValue {
    switch value {
    case .tuple, .list: return .null
    default: return json(value)
    }
  }
}
