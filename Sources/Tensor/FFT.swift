#if canImport(Glibc)
  import Glibc
#endif

/// An in-place radix-2 complex FFT of one power-of-two size, on split real/imaginary float arrays
/// (twiddles computed in double precision). Used for long convolutions (the EMA).
public struct FFTPlan: Sendable {
  /// Transform length (a power of two).
  public let size: Int
  /// Twiddles of every stage of `len ≥ 8` points, consecutive: `cos(2πk/len)`, `sin(2πk/len)`
  /// for k < len/2, stage after stage.
  private let stageCos: [Float]
  private let stageSin: [Float]
  private let reversed: [Int32]

  /// A plan for transforms of `size` points (a power of two ≥ 1).
  public init(size: Int) {
    precondition(size > 0 && size & (size - 1) == 0, "FFT size \(size) is not a power of two")
    self.size = size
    var cosines: [Float] = []
    var sines: [Float] = []
    var len = 8
    while len <= size {
      for k in 0..<(len / 2) {
        cosines.append(Float(cos(2 * Double.pi * Double(k) / Double(len))))
        sines.append(Float(sin(2 * Double.pi * Double(k) / Double(len))))
      }
      len <<= 1
    }
    stageCos = cosines
    stageSin = sines
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
    // Stages of 2 and 4 points: twiddles 1 and ∓i, no multiplications.
    if n >= 2 {
      for a in stride(from: 0, to: n, by: 2) {
        let (tr, ti) = (re[a + 1], im[a + 1])
        re[a + 1] = re[a] - tr
        im[a + 1] = im[a] - ti
        re[a] += tr
        im[a] += ti
      }
    }
    if n >= 4 {
      for start in stride(from: 0, to: n, by: 4) {
        for k in 0..<2 {
          let a = start + k
          let b = a + 2
          // Twiddle 1 for k = 0, (0, sign) = e^{±iπ/2} for k = 1.
          let (tr, ti) = k == 0 ? (re[b], im[b]) : (-sign * im[b], sign * re[b])
          re[b] = re[a] - tr
          im[b] = im[a] - ti
          re[a] += tr
          im[a] += ti
        }
      }
    }
    stageCos.withUnsafeBufferPointer { wc in
      stageSin.withUnsafeBufferPointer { ws in
        var len = 8
        var offset = 0
        while len <= n {
          let half = len / 2
          let (c, s) = (wc.baseAddress! + offset, ws.baseAddress! + offset)
          var start = 0
          while start < n {
            let (ar, ai) = (re + start, im + start)
            let (br, bi) = (ar + half, ai + half)
            for k in 0..<half {
              let wr = c[k]
              let wi = sign * s[k]
              let tr = br[k] * wr - bi[k] * wi
              let ti = br[k] * wi + bi[k] * wr
              br[k] = ar[k] - tr
              bi[k] = ai[k] - ti
              ar[k] += tr
              ai[k] += ti
            }
            start += len
          }
          offset += half
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
