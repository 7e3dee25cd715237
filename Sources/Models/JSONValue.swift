/// A parsed JSON value; enough to read the reference's argument namespaces (golden `config`
/// attributes, checkpoint configs) without Foundation.
public enum JSONValue: Equatable, Sendable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  /// Parses `text`; throws `JSONError` on malformed input.
  public init(parsing text: String) throws {
    var parser = JSONParser(Array(text.utf8))
    self = try parser.value()
    parser.skipSpace()
    guard parser.atEnd else { throw JSONError(offset: parser.index, "trailing characters") }
  }

  /// The member `key` of an object, nil otherwise.
  public subscript(key: String) -> JSONValue? {
    if case .object(let o) = self { return o[key] }
    return nil
  }

  /// The number as Double, nil if not a number.
  public var double: Double? {
    if case .number(let d) = self { return d }
    return nil
  }

  /// The number as Int, nil if not an integral number.
  public var int: Int? {
    guard let d = double, d == d.rounded(), abs(d) < 9e15 else { return nil }
    return Int(d)
  }

  /// The string, nil if not a string.
  public var string: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// The boolean, nil if not a boolean.
  public var bool: Bool? {
    if case .bool(let b) = self { return b }
    return nil
  }

  /// Whether this is `null`.
  public var isNull: Bool { self == .null }
}

/// A JSON syntax error at a byte offset.
public struct JSONError: Error, CustomStringConvertible {
  /// Byte offset of the error.
  public let offset: Int
  /// What is wrong.
  public let message: String

  init(offset: Int, _ message: String) {
    self.offset = offset
    self.message = message
  }

  public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

/// Recursive-descent JSON reader over UTF-8 bytes.
private struct JSONParser {
  let bytes: [UInt8]
  var index = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  var atEnd: Bool { index >= bytes.count }

  mutating func skipSpace() {
    while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
  }

  mutating func expect(_ literal: String) throws {
    for b in literal.utf8 {
      guard index < bytes.count, bytes[index] == b else {
        throw JSONError(offset: index, "expected \(literal)")
      }
      index += 1
    }
  }

  mutating func value() throws -> JSONValue {
    skipSpace()
    guard index < bytes.count else { throw JSONError(offset: index, "unexpected end") }
    switch bytes[index] {
    case UInt8(ascii: "{"): return try object()
    case UInt8(ascii: "["): return try array()
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"):
      try expect("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expect("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expect("null")
      return .null
    case UInt8(ascii: "N"):
      try expect("NaN")
      return .number(.nan)
    case UInt8(ascii: "I"):
      try expect("Infinity")
      return .number(.infinity)
    default: return .number(try number())
    }
  }

  mutating func object() throws -> JSONValue {
    index += 1
    var members: [String: JSONValue] = [:]
    skipSpace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
      index += 1
      return .object(members)
    }
    while true {
      skipSpace()
      let key = try string()
      skipSpace()
      try expect(":")
      members[key] = try value()
      skipSpace()
      guard index < bytes.count else { throw JSONError(offset: index, "unterminated object") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      try expect("}")
      return .object(members)
    }
  }

  mutating func array() throws -> JSONValue {
    index += 1
    var items: [JSONValue] = []
    skipSpace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
      index += 1
      return .array(items)
    }
    while true {
      items.append(try value())
      skipSpace()
      guard index < bytes.count else { throw JSONError(offset: index, "unterminated array") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      try expect("]")
      return .array(items)
    }
  }

  mutating func string() throws -> String {
    try expect("\"")
    var out: [UInt8] = []
    while index < bytes.count {
      let c = bytes[index]
      index += 1
      if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
      guard c == UInt8(ascii: "\\") else {
        out.append(c)
        continue
      }
      guard index < bytes.count else { break }
      let e = bytes[index]
      index += 1
      switch e {
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "u"):
        guard index + 4 <= bytes.count,
          let code = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16)
        else { throw JSONError(offset: index, "bad \\u escape") }
        index += 4
        out.append(contentsOf: Array(String(Character(Unicode.Scalar(code) ?? "?")).utf8))
      default: out.append(e)
      }
    }
    throw JSONError(offset: index, "unterminated string")
  }

  mutating func number() throws -> Double {
    let start = index
    while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
    let text = String(decoding: bytes[start..<index], as: UTF8.self)
    guard let d = Double(text) else { throw JSONError(offset: start, "bad number '\(text)'") }
    return d
  }
}
