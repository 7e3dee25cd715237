/// fairseq's dynamic loss scaler (MODEL.md §6.6) with tolerance 0: on overflow the scale is halved
/// at once (and the step skipped by the caller); after `window` steps without overflow since the
/// last one it doubles. `iter` counts steps and overflows. Every counter is checkpointed, so a
/// resumed run scales exactly as an uninterrupted one.
public struct LossScaler: Equatable {
  /// The current scale.
  public var scale: Double
  /// Overflow-free steps (counted from the last overflow) after which the scale doubles.
  public let window: Int
  /// The scale must stay above this.
  public let minScale: Double
  /// Steps and overflows seen.
  public var iter: Int = 0
  /// `iter` of the last overflow (−1: none).
  public var lastOverflowIter: Int = -1

  /// A scaler starting at `initScale`.
  public init(initScale: Double, window: Int, minScale: Double) {
    scale = initScale
    self.window = max(window, 1)
    self.minScale = minScale
  }

  /// Records the outcome of one update. On overflow the scale is halved; throws (leaving the old
  /// scale) when the halved scale would be at or below the minimum.
  public mutating func update(overflow: Bool) throws {
    defer { iter += 1 }
    if overflow {
      lastOverflowIter = iter
      let halved = scale / 2
      guard halved > minScale else {
        throw TrainingError(
          "minimum loss scale reached (\(halved) <= --min-loss-scale \(minScale)): "
            + "the loss is probably exploding; lower --lr or use fp32")
      }
      scale = halved
    } else if (iter - lastOverflowIter) % window == 0 {
      scale *= 2
    }
  }

  /// fairseq's default window `⌊2^14 / (ranks · update_freq)⌋`.
  public static func defaultWindow(ranks: Int, updateFreq: Int) -> Int {
    max(1, (1 << 14) / max(ranks * updateFreq, 1))
  }
}
