/// The 32-bit Mersenne Twister (MT19937) as numpy's legacy `RandomState` runs it, so that draws
/// the reference makes with numpy (fairseq's variable block sizes) come out identical here: seeding
/// by one integer (`init_genrand`) or by an array of them (`init_by_array`), 32-bit outputs, and
/// `RandomState.choice(n, k)` with replacement (bounded integers by masked rejection).
public struct MersenneTwister: Sendable {
  private static let n = 624
  private static let m = 397
  private var state = [UInt32](repeating: 0, count: 624)
  private var index = 624

  /// `RandomState(seed)`: MT19937's `init_genrand`.
  public init(seed: UInt32) {
    state[0] = seed
    for i in 1..<Self.n {
      let previous = state[i - 1]
      state[i] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(i)
    }
  }

  /// `RandomState([k0, k1, …])`: MT19937's `init_by_array`.
  public init(key: [UInt32]) {
    self.init(seed: 19_650_218)
    let n = Self.n
    var i = 1
    var j = 0
    for _ in 0..<max(n, key.count) {
      let previous = state[i - 1]
      state[i] = (state[i] ^ ((previous ^ (previous >> 30)) &* 1_664_525)) &+ key[j] &+ UInt32(j)
      i += 1
      j += 1
      if i >= n {
        state[0] = state[n - 1]
        i = 1
      }
      if j >= key.count { j = 0 }
    }
    for _ in 0..<(n - 1) {
      let previous = state[i - 1]
      state[i] = (state[i] ^ ((previous ^ (previous >> 30)) &* 1_566_083_941)) &- UInt32(i)
      i += 1
      if i >= n {
        state[0] = state[n - 1]
        i = 1
      }
    }
    state[0] = 0x8000_0000
  }

  /// The next 32-bit output (`genrand_int32`).
  public mutating func next() -> UInt32 {
    if index >= Self.n { twist() }
    var y = state[index]
    index += 1
    y ^= y >> 11
    y ^= (y << 7) & 0x9D2C_5680
    y ^= (y << 15) & 0xEFC6_0000
    y ^= y >> 18
    return y
  }

  private mutating func twist() {
    let n = Self.n
    for k in 0..<n {
      let y = (state[k] & 0x8000_0000) | (state[(k + 1) % n] & 0x7FFF_FFFF)
      state[k] = state[(k + Self.m) % n] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : 0x9908_B0DF)
    }
    index = 0
  }

  /// A uniform integer in `0..<bound` (1 ≤ bound ≤ 2^32) as numpy's legacy bounded draw: the
  /// 32-bit output masked to the smallest all-ones mask covering `bound − 1`, redrawn while above.
  public mutating func uniform(_ bound: Int) -> Int {
    let top = UInt32(bound - 1)
    guard top > 0 else { return 0 }
    var mask = top
    for shift in [1, 2, 4, 8, 16] as [UInt32] { mask |= mask >> shift }
    while true {
      let value = next() & mask
      if value <= top { return Int(value) }
    }
  }

  /// `RandomState.choice(values, k)` with replacement.
  public mutating func choice<T>(_ values: [T], count k: Int) -> [T] {
    (0..<k).map { _ in values[uniform(values.count)] }
  }
}
