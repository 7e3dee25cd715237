/// A value built by `Unpickler`: plain data only. Lists and dicts are references, as in Python,
/// so the APPEND/SETITEM opcodes that follow a memo reach every copy.
public indirect enum PickleValue {
  case none
  case bool(Bool)
  case int(Int)
  /// An integer wider than 64 bits (LONG1/LONG4), as its little-endian two's-complement bytes.
  case bigInt([UInt8])
  case float(Double)
  /// Text (BINUNICODE and its variants).
  case string(String)
  /// Bytes (BINBYTES, and Python 2's `str`: BINSTRING, SHORT_BINSTRING).
  case bytes([UInt8])
  case tuple([PickleValue])
  case list(PickleList)
  case dict(PickleDict)
  /// A `module name` global of the allowed set, not resolved to anything.
  case global(String)
  /// A call of an allowed global (REDUCE or NEWOBJ) with its arguments and BUILD state; nothing
  /// is called.
  case object(PickleObject)
  /// A persistent id (BINPERSID), left for the caller to interpret.
  case persistent(PickleValue)

  /// The text of a string value.
  public var string: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// The integer of an int or bool value.
  public var int: Int? {
    switch self {
    case .int(let i): return i
    case .bool(let b): return b ? 1 : 0
    default: return nil
    }
  }

  /// The number of a float or int value.
  public var double: Double? {
    if case .float(let d) = self { return d }
    return int.map(Double.init)
  }

  /// The items of a tuple or list.
  public var items: [PickleValue]? {
    switch self {
    case .tuple(let t): return t
    case .list(let l): return l.items
    default: return nil
    }
  }

  /// The dict of a dict value.
  public var dict: PickleDict? {
    if case .dict(let d) = self { return d }
    return nil
  }
}

/// A mutable Python list.
public final class PickleList {
  /// The items in order.
  public var items: [PickleValue]

  /// A list of `items`.
  public init(_ items: [PickleValue] = []) { self.items = items }
}

/// A mutable Python dict that keeps insertion order; keys are any plain value, compared as
/// Python compares strings and integers (other keys never equal one another).
public final class PickleDict {
  /// The entries in insertion order.
  public private(set) var entries: [(key: PickleValue, value: PickleValue)] = []

  /// An empty dict.
  public init() {}

  /// Sets `key` to `value`, replacing the entry of an equal string or integer key.
  public func set(_ key: PickleValue, _ value: PickleValue) {
    if let i = index(of: key) {
      entries[i].value = value
    } else {
      entries.append((key, value))
    }
  }

  /// The value under the string `key` (a text key, or a Python 2 byte-string key of the same
  /// UTF-8 bytes).
  public subscript(_ key: String) -> PickleValue? {
    index(of: .string(key)).map { entries[$0].value }
  }

  /// The value under the integer `key`.
  public subscript(int key: Int) -> PickleValue? {
    index(of: .int(key)).map { entries[$0].value }
  }

  private func index(of key: PickleValue) -> Int? {
    switch key {
    case .string(let s):
      return entries.firstIndex {
        if case .bytes(let b) = $0.key { return b.elementsEqual(s.utf8) }
        return $0.key.string == s
      }
    case .int(let i): return entries.firstIndex { $0.key.string == nil && $0.key.int == i }
    default: return nil
    }
  }
}

/// A call of an allowed global that the unpickler records instead of making.
public final class PickleObject {
  /// The `module name` of the callable.
  public let callable: String
  /// The positional arguments.
  public let arguments: [PickleValue]
  /// The state given by BUILD (`.none` when there was none).
  public var state: PickleValue = .none

  /// A call of `callable` with `arguments` (for writers; the unpickler records its own).
  public init(callable: String, arguments: [PickleValue]) {
    self.callable = callable
    self.arguments = arguments
  }
}
