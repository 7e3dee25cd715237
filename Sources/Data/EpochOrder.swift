import Random

/// What a seeded permutation is for; part of its seed so different uses never share a sequence.
public enum RandomPurpose: UInt64, Sendable {
  /// The per-epoch order of training examples.
  case epochShuffle = 1
  /// A converter's carve-out of a validation split from a training set.
  case validationCarveOut = 2
  /// A converter's stratified split (sc10).
  case stratifiedSplit = 3
  /// Random choices of the ListOps generator.
  case listOpsGenerator = 4
  /// The tie-break among examples of equal length when batching by tokens (`--max-tokens`).
  case tokenBatchOrder = 5
}

/// Deterministic permutations from (seed, purpose, epoch): SplitMix64 feeding a Fisher–Yates
/// shuffle, identical on every rank, run and platform (DATASETS.md 4).
public enum EpochOrder {
  /// A generator whose sequence depends on all of `seed`, `purpose` and `epoch`.
  public static func generator(seed: UInt64, purpose: RandomPurpose, epoch: UInt64 = 0)
    -> SplitMix64
  {
    var mixer = SplitMix64(seed: seed)
    let base = mixer.next()
    var purposeMixer = SplitMix64(seed: base ^ (purpose.rawValue &* 0xD6E8_FEB8_6659_FD93))
    let withPurpose = purposeMixer.next()
    var epochMixer = SplitMix64(seed: withPurpose ^ (epoch &* 0x9E37_79B9_7F4A_7C15))
    return SplitMix64(seed: epochMixer.next())
  }

  /// A uniform integer in `0..<bound` (bound > 0) from one 64-bit draw (multiply-high).
  public static func uniform(_ bound: Int, using rng: inout SplitMix64) -> Int {
    Int(UInt64(bound).multipliedFullWidth(by: rng.next()).high)
  }

  /// Fisher–Yates: swaps from the last position down, each with a uniform earlier-or-same slot.
  public static func shuffle<T>(_ values: inout [T], using rng: inout SplitMix64) {
    guard values.count > 1 else { return }
    for i in stride(from: values.count - 1, to: 0, by: -1) {
      values.swapAt(i, uniform(i + 1, using: &rng))
    }
  }

  /// The permutation of `0..<count` for `epoch` of a run seeded with `seed`.
  public static func permutation(
    count: Int, seed: UInt64, epoch: UInt64, purpose: RandomPurpose = .epochShuffle
  ) -> [Int] {
    var rng = generator(seed: seed, purpose: purpose, epoch: epoch)
    var order = Array(0..<count)
    shuffle(&order, using: &rng)
    return order
  }
}
