/// A training or evaluation run that cannot go on: one line naming the value(s) at fault.
public struct TrainingError: Error, CustomStringConvertible, Equatable {
  /// What is wrong.
  public let description: String

  /// An error with the one-line `description`.
  public init(_ description: String) { self.description = description }
}
