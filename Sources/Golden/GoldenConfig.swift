import Foundation

/// Typed access to a golden file's `config` JSON object. Every accessor throws a `GoldenError`
/// naming the key when it is absent or of the wrong type.
public struct GoldenConfig {
  /// The decoded JSON object.
  public let object: [String: Any]

  /// Parses `json` (the `config` attribute text).
  public init(json: String) throws {
    guard let data = json.data(using: .utf8),
      let parsed = try? JSONSerialization.jsonObject(with: data),
      let object = parsed as? [String: Any]
    else { throw GoldenError.invalid("attribute 'config' is not a JSON object") }
    self.object = object
  }

  /// Wraps an already decoded object (e.g. a nested `args`).
  public init(object: [String: Any]) { self.object = object }

  private func value(_ key: String) throws -> Any {
    guard let v = object[key] else { throw GoldenError.invalid("config key '\(key)' is missing") }
    return v
  }

  /// Whether `key` is present and not null.
  public func has(_ key: String) -> Bool { object[key].map { !($0 is NSNull) } ?? false }

  /// An integer value.
  public func int(_ key: String) throws -> Int {
    guard let n = try value(key) as? NSNumber, !(n is Bool),
      n.doubleValue == n.doubleValue.rounded()
    else { throw GoldenError.invalid("config key '\(key)' is not an integer") }
    return n.intValue
  }

  /// An integer value, nil when the key is null.
  public func optionalInt(_ key: String) throws -> Int? {
    if try value(key) is NSNull { return nil }
    return try int(key)
  }

  /// A number.
  public func double(_ key: String) throws -> Double {
    guard let n = try value(key) as? NSNumber else {
      throw GoldenError.invalid("config key '\(key)' is not a number")
    }
    return n.doubleValue
  }

  /// A boolean.
  public func bool(_ key: String) throws -> Bool {
    guard let b = try value(key) as? Bool else {
      throw GoldenError.invalid("config key '\(key)' is not a boolean")
    }
    return b
  }

  /// A string.
  public func string(_ key: String) throws -> String {
    guard let s = try value(key) as? String else {
      throw GoldenError.invalid("config key '\(key)' is not a string")
    }
    return s
  }

  /// A string mapped to an enumeration; an unknown value is an unsupported configuration.
  public func choice<T>(_ key: String, _ parse: (String) -> T?) throws -> T {
    let s = try string(key)
    guard let v = parse(s) else { throw GoldenError.unsupported("config \(key) = '\(s)'") }
    return v
  }

  /// A nested object.
  public func nested(_ key: String) throws -> GoldenConfig {
    guard let o = try value(key) as? [String: Any] else {
      throw GoldenError.invalid("config key '\(key)' is not an object")
    }
    return GoldenConfig(object: o)
  }
}
