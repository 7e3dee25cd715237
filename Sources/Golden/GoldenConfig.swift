import Models

/// Typed access to a golden file's `config` JSON object. Every accessor throws a `GoldenError`
/// naming the key when it is absent or of the wrong type (an integer is never a boolean, nor the
/// other way round).
public struct GoldenConfig {
  /// The decoded JSON object.
  public let value: JSONValue

  /// Parses `json` (the `config` attribute text).
  public init(json: String) throws {
    guard let parsed = try? JSONValue(parsing: json), case .object = parsed else {
      throw GoldenError.invalid("attribute 'config' is not a JSON object")
    }
    value = parsed
  }

  private init(object: JSONValue) { value = object }

  private func member(_ key: String) throws -> JSONValue {
    guard let v = value[key] else { throw GoldenError.invalid("config key '\(key)' is missing") }
    return v
  }

  /// Whether `key` is present and not null.
  public func has(_ key: String) -> Bool { value[key].map { !$0.isNull } ?? false }

  /// An integer value.
  public func int(_ key: String) throws -> Int {
    guard let n = try member(key).int else {
      throw GoldenError.invalid("config key '\(key)' is not an integer")
    }
    return n
  }

  /// An integer value, nil when the key is null.
  public func optionalInt(_ key: String) throws -> Int? {
    if try member(key).isNull { return nil }
    return try int(key)
  }

  /// A number.
  public func double(_ key: String) throws -> Double {
    guard let d = try member(key).double else {
      throw GoldenError.invalid("config key '\(key)' is not a number")
    }
    return d
  }

  /// A boolean.
  public func bool(_ key: String) throws -> Bool {
    guard let b = try member(key).bool else {
      throw GoldenError.invalid("config key '\(key)' is not a boolean")
    }
    return b
  }

  /// A string.
  public func string(_ key: String) throws -> String {
    guard let s = try member(key).string else {
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
    let v = try member(key)
    guard case .object = v else {
      throw GoldenError.invalid("config key '\(key)' is not an object")
    }
    return GoldenConfig(object: v)
  }
}
