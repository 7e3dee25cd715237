import Foundation

/// The comparison of one tensor with its reference, under the golden README's single rule:
/// `max|got − ref| ≤ atol_rel · max|ref|` for floating tensors, equality for integer ones.
public struct GoldenComparison {
  /// Dataset path in the golden file, e.g. `/grads/params/move.delta`.
  public let path: String
  /// `max|got − ref| / max|ref|` (floating), or `max|got − ref|` (integer, or a zero reference).
  public let error: Double
  /// `atol_rel`, or nil for an exact (integer) comparison.
  public let tolerance: Double?
  /// Within tolerance.
  public let passed: Bool
  /// Why the comparison could not be made (missing tensor, shape mismatch), if so.
  public let problem: String?

  /// Compares `got` with `reference` (same element count) under `tolerance` (nil = exact).
  public init(path: String, got: [Double], reference: GoldenArray, tolerance: Double?) {
    self.path = path
    guard got.count == reference.values.count else {
      self.error = .infinity
      self.tolerance = tolerance
      passed = false
      problem = "\(got.count) values produced, reference has shape \(reference.shape)"
      return
    }
    var maxDiff = 0.0
    var maxRef = 0.0
    for (g, r) in zip(got, reference.values) {
      let d = abs(g - r)
      maxDiff = d.isNaN || maxDiff.isNaN ? .nan : max(maxDiff, d)
      maxRef = max(maxRef, abs(r))
    }
    let exact = tolerance == nil || reference.isInteger
    self.tolerance = exact ? nil : tolerance
    if exact {
      self.error = maxDiff
      passed = maxDiff == 0
    } else {
      self.error = maxRef > 0 ? maxDiff / maxRef : maxDiff
      passed = maxDiff <= tolerance! * maxRef
    }
    problem = nil
  }

  /// A reference tensor that the engine did not produce.
  public init(missing path: String, tolerance: Double?) {
    self.path = path
    error = .infinity
    self.tolerance = tolerance
    passed = false
    problem = "not produced by the engine"
  }

  /// The report line `<case> <path> err=<e> tol=<t> ok|FAIL`.
  public func line(caseName: String) -> String {
    let tol = tolerance.map { String(format: "%.3g", $0) } ?? "exact"
    var text = "\(caseName) \(path) err=\(String(format: "%.3e", error)) tol=\(tol) "
    text += passed ? "ok" : "FAIL"
    if let problem { text += " (\(problem))" }
    return text
  }
}
