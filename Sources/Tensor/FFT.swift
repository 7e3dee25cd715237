#if canImport(Glibc)
  import Glibc
#endif

/// An in-place radix-2 complex FFT of one power-of-two size, on split real/imaginary float arrays
/// (twiddles computed in double precision). Used for long convolutions (the EMA).
public struct FFTPlan: Sendable {
  /// Transform length (a power of two).
  public let size: Int
  private let cosTable: [Float]
  private let sinTable: [Float]
  private let reversed: [Int32]

  /// A plan for transforms of `size` points (a power of two ≥ 1).
  public init(size: Int) {
    precondition(size > 0 && size & (size - 1) == 0, "FFT size \(size) is not a power of two")
    self.size = size
    let half = max(size / 2, 1)
    cosTable = (0..<half).map { Float(cos(2 * Double.pi * Double($0) / Double(size))) }
    sinTable = (0..<half).map { Float(sin(2 * Double.pi * Double($0) / Double(size))) }
    let bits = size.trailingZeroBitCount
    reversed = (0..<size).map { i in
      var r = 0
      for b in 0..<bits where i & (1 << b) != 0 { r |= 1 << (bits - 1 - b) }
      return Int32(r)
    }
  }

  /// The smallest power of two ≥ `n`.
  public static func size(atLeast n: Int) -> Int {
    var s = 1
    while s < n { s <<= 1 }
    return s
  }

  /// Transforms `re + i·im` (each `size` long) in place: forward `X[k] = Σ x[j]·e^{−2πi·jk/n}`, or
  /// the inverse (with the 1/n factor).
  public func transform(
    _ re: UnsafeMutablePointer<Float>, _ im: UnsafeMutablePointer<Float>, inverse: Bool
  ) {
    let n = size
    reversed.withUnsafeBufferPointer { order in
      for i in 0..<n {
        let j = Int(order[i])
        if j > i {
          swap(&re[i], &re[j])
          swap(&im[i], &im[j])
        }
      }
    }
    let sign: Float = inverse ? 1 : -1
    cosTable.withUnsafeBufferPointer { cosines in
      sinTable.withUnsafeBufferPointer { sines in
        var len = 2
        while len <= n {
          let half = len / 2
          let step = n / len
          var start = 0
          while start < n {
            for k in 0..<half {
              let wr = cosines[k * step]
              let wi = sign * sines[k * step]
              let a = start + k
              let b = a + half
              let tr = re[b] * wr - im[b] * wi
              let ti = re[b] * wi + im[b] * wr
              re[b] = re[a] - tr
              im[b] = im[a] - ti
              re[a] += tr
              im[a] += ti
            }
            start += len
          }
          len <<= 1
        }
      }
    }
    if inverse {
      let scale = 1 / Float(n)
      for i in 0..<n {
        re[i] *= scale
        im[i] *= scale
      }
    }
  }
}
