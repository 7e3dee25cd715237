import Foundation

/// A parsed JSON value, decoded with Foundation's `JSONDecoder` (booleans and numbers kept apart,
/// which `JSONSerialization` does not do on Linux: there `0` and `1` read as booleans); enough to
/// read the reference's argument namespaces (golden `config` attributes, checkpoint configs).
public enum JSONValue: Equatable, Sendable, Decodable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  /// Parses `text`; throws `JSONError` on malformed input.
  public init(parsing text: String) throws {
    do {
      self = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    } catch {
      throw JSONError(error)
    }
  }

  /// Decodes one value of any JSON type.
  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let d = try? c.decode(Double.self) {
      self = .number(d)
    } else if let s = try? c.decode(String.self) {
      self = .string(s)
    } else if let a = try? c.decode([JSONValue].self) {
      self = .array(a)
    } else {
      self = .object(try c.decode([String: JSONValue].self))
    }
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

/// Text that is not JSON.
public struct JSONError: Error, CustomStringConvertible {
  /// What the decoder said.
  public let message: String

  init(_ error: Error) {
    if case DecodingError.dataCorrupted(let context) = error {
      message = context.underlyingError.map { "\($0)" } ?? context.debugDescription
    } else {
      message = "\(error)"
    }
  }

  public var description: String { "invalid JSON: \(message)" }
}
