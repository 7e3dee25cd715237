/// One dataset of a golden file, widened to double precision.
public struct GoldenArray {
  /// Extent of each dimension (empty for a scalar).
  public let shape: [Int]
  /// Values in row-major order.
  public let values: [Double]
  /// Whether the stored type is an integer type (compared exactly).
  public let isInteger: Bool

  /// An array of `values` with `shape`.
  public init(shape: [Int], values: [Double], isInteger: Bool) {
    self.shape = shape
    self.values = values
    self.isInteger = isInteger
  }

  /// The values as float32 (inputs, parameters and cotangents are stored as float32).
  public var floats: [Float] { values.map { Float($0) } }

  /// Non-zero values read as true (masks are uint8, 1 = set).
  public var flags: [Bool] { values.map { $0 != 0 } }
}
