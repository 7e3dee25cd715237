import Foundation
import HDF5

/// An open golden file (schema `seqboat-golden`, version 1; Tests/Fixtures/golden/README.md): its root
/// attributes and access to its groups of arrays.
public final class GoldenFile {
  /// Path as given.
  public let path: String
  /// Root attribute `case`.
  public let caseName: String
  /// Root attribute `kind`.
  public let kind: String
  /// Root attribute `mode` (`train` or `eval`).
  public let mode: String
  /// Root attribute `config`.
  public let config: GoldenConfig
  /// Root attribute `tolerance_hint`.
  public let toleranceHint: GoldenConfig
  private let file: HDF5File
  private let root: HDF5Group

  /// Opens `path` and reads and checks its root attributes.
  public init(path: String) throws {
    self.path = path
    let root: HDF5Group
    do {
      file = try HDF5File.open(path)
      root = try file.root()
    } catch let error as HDF5Error {
      throw GoldenError.invalid("cannot open as HDF5 (\(error.reason))")
    }
    self.root = root
    func text(_ name: String) throws -> String {
      guard root.hasAttribute(name) else {
        throw GoldenError.invalid("root attribute '\(name)' is missing")
      }
      do { return try root.stringAttribute(name) } catch {
        throw GoldenError.invalid("root attribute '\(name)' is not a string")
      }
    }
    guard try text("schema") == "seqboat-golden" else {
      throw GoldenError.invalid("root attribute 'schema' is not 'seqboat-golden'")
    }
    let version = (try? root.int64Attribute("schema_version")) ?? -1
    guard version == 1 else {
      throw GoldenError.invalid("schema_version \(version) is not supported (expected 1)")
    }
    caseName = try text("case")
    kind = try text("kind")
    let mode = try text("mode")
    guard mode == "train" || mode == "eval" else {
      throw GoldenError.invalid("root attribute 'mode' is '\(mode)', expected train or eval")
    }
    self.mode = mode
    config = try GoldenConfig(json: text("config"))
    do {
      toleranceHint = try GoldenConfig(json: text("tolerance_hint"))
    } catch GoldenError.invalid {
      throw GoldenError.invalid("attribute 'tolerance_hint' is not a JSON object")
    }
  }

  /// Whether the object `path` (e.g. `/inputs/attn_mask`) exists.
  public func exists(_ path: String) -> Bool { root.exists(path) }

  /// One dataset, widened to double.
  public func array(_ path: String) throws -> GoldenArray {
    guard root.exists(path), root.kind(of: path) == .dataset else {
      throw GoldenError.invalid("dataset '\(path)' is missing")
    }
    do {
      let dataset = try root.openDataset(path)
      let integer: Bool
      switch dataset.elementClass {
      case .integer: integer = true
      case .float: integer = false
      default: throw GoldenError.invalid("dataset '\(path)' holds \(dataset.elementClass) values")
      }
      return GoldenArray(
        shape: dataset.shape, values: try dataset.read(as: Double.self), isInteger: integer)
    } catch let error as GoldenError {
      throw error
    } catch {
      throw GoldenError.invalid("dataset '\(path)' cannot be read: \(error)")
    }
  }

  /// Every dataset under the group `path`, recursively, by path relative to it (e.g.
  /// `router/layer0/logits`); empty when the group does not exist, unless it is `required`.
  public func arrays(under path: String, required: Bool = false) throws -> [String: GoldenArray] {
    guard root.exists(path) else {
      if required { throw GoldenError.invalid("group '\(path)' is missing") }
      return [:]
    }
    guard root.kind(of: path) == .group else {
      throw GoldenError.invalid("'\(path)' is not a group")
    }
    var result: [String: GoldenArray] = [:]
    let group: HDF5Group
    let names: [String]
    do {
      group = try root.openGroup(path)
      names = try group.memberNames()
    } catch {
      throw GoldenError.invalid("group '\(path)' cannot be listed: \(error)")
    }
    for name in names {
      let full = path + "/" + name
      switch group.kind(of: name) {
      case .group:
        for (sub, a) in try arrays(under: full) { result[name + "/" + sub] = a }
      case .dataset:
        result[name] = try array(full)
      default:
        throw GoldenError.invalid("'\(full)' is neither a group nor a dataset")
      }
    }
    return result
  }

  /// A float tolerance of `tolerance_hint`.
  public func tolerance(_ key: String) throws -> Double {
    do { return try toleranceHint.double(key) } catch {
      throw GoldenError.invalid("tolerance_hint key '\(key)' is missing or not a number")
    }
  }
}
