/// fairseq 0.9's `--patience` (`should_stop_early`): training stops once N validations in a row
/// have not improved strictly on the best figure seen by this process (the count starts afresh
/// when a run resumes, as fairseq keeps it only in memory).
public struct EarlyStopping: Sendable {
  /// Validations without improvement that stop the run (≤ 0: never).
  public let patience: Int
  private var best: Double?
  private var runs = 0

  /// Stops after `patience` validations without improvement (≤ 0: never).
  public init(patience: Int) { self.patience = patience }

  /// Records a validation scoring `value` under `metric`; true when the run should stop.
  public mutating func shouldStop(_ value: Double, metric: BestMetric) -> Bool {
    guard patience > 0 else { return false }
    if metric.improves(value, on: best) {
      best = value
      runs = 0
      return false
    }
    runs += 1
    return runs >= patience
  }
}
