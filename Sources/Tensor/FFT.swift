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
    combine(re, im, sign: inverse ? 1 : -1)
    if inverse {
      let scale = 1 / Float(n)
      for i in 0..<n {
        re[i] *= scale
        im[i] *= scale
      }
    }
  }

  /// The inverse transform of a spectrum held in bit-reversed order (as `forwardBitReversed`
  /// leaves it), into natural order, without the 1/n factor: `x[j] = Σ X[k]·e^{2πi·jk/n}`. With
  /// `forwardBitReversed`, a convolution needs no permutation at all.
  public func inverseFromBitReversed(
    _ re: UnsafeMutablePointer<Float>, _ im: UnsafeMutablePointer<Float>
  ) {
    combine(re, im, sign: 1)
  }

  /// The forward transform (as `transform`) by decimation in frequency: natural-order input, the
  /// spectrum left in bit-reversed order (frequency `k` at the position whose bits reverse `k`).
  /// Frequencies `k` and `n − k` sit at `p` and `3·2ᵐ − 1 − p` for `p` in `2ᵐ..<2ᵐ⁺¹` (0 and 1
  /// pair with themselves).
  public func forwardBitReversed(
    _ re: UnsafeMutablePointer<Float>, _ im: UnsafeMutablePointer<Float>
  ) {
    let n = size
    var len = n
    stageCos.withUnsafeBufferPointer { wc in
      stageSin.withUnsafeBufferPointer { ws in
        // Stage `len` uses `e^{−2πik/len}`, stored from offset `len/2 − 4`.
        while len >= 8 {
          let half = len / 2
          let (c, s) = (wc.baseAddress! + half - 4, ws.baseAddress! + half - 4)
          var start = 0
          if len >= 16 {
            // Stages of `len` and `len/2` points in one pass over each block of `len`.
            let quarter = len / 4
            let (c2, s2) = (wc.baseAddress! + quarter - 4, ws.baseAddress! + quarter - 4)
            while start < n {
              let (ar, ai) = (re + start, im + start)
              let (br, bi, cr, ci, dr, di) = (
                ar + quarter, ai + quarter, ar + half, ai + half, ar + half + quarter,
                ai + half + quarter
              )
              for k in stride(from: 0, to: quarter, by: 4) {
                let (w2r, w2i) = (Quad(c2 + k), -Quad(s2 + k))
                splitButterfly(ar + k, ai + k, cr + k, ci + k, Quad(c + k), -Quad(s + k))
                splitButterfly(
                  br + k, bi + k, dr + k, di + k, Quad(c + quarter + k), -Quad(s + quarter + k))
                splitButterfly(ar + k, ai + k, br + k, bi + k, w2r, w2i)
                splitButterfly(cr + k, ci + k, dr + k, di + k, w2r, w2i)
              }
              start += len
            }
            len >>= 2
          } else {
            while start < n {
              let (ar, ai) = (re + start, im + start)
              for k in stride(from: 0, to: half, by: 4) {
                splitButterfly(
                  ar + k, ai + k, ar + half + k, ai + half + k, Quad(c + k), -Quad(s + k))
              }
              start += len
            }
            len >>= 1
          }
        }
      }
    }
    if len == 4 {
      // Stages of 4 and 2 points: twiddles 1 and −i, no multiplications.
      for a in stride(from: 0, to: n, by: 4) {
        let (s0r, s0i) = (re[a] + re[a + 2], im[a] + im[a + 2])
        let (d0r, d0i) = (re[a] - re[a + 2], im[a] - im[a + 2])
        let (s1r, s1i) = (re[a + 1] + re[a + 3], im[a + 1] + im[a + 3])
        // (x₁ − x₃)·(−i).
        let (d1r, d1i) = (im[a + 1] - im[a + 3], re[a + 3] - re[a + 1])
        (re[a], im[a]) = (s0r + s1r, s0i + s1i)
        (re[a + 1], im[a + 1]) = (s0r - s1r, s0i - s1i)
        (re[a + 2], im[a + 2]) = (d0r + d1r, d0i + d1i)
        (re[a + 3], im[a + 3]) = (d0r - d1r, d0i - d1i)
      }
    } else if len == 2 {
      (re[0], re[1]) = (re[0] + re[1], re[0] - re[1])
      (im[0], im[1]) = (im[0] + im[1], im[0] - im[1])
    }
  }

  /// The decimation-in-time stages on input already in bit-reversed order; `sign` −1 forward,
  /// +1 inverse (unscaled).
  private func combine(
    _ re: UnsafeMutablePointer<Float>, _ im: UnsafeMutablePointer<Float>, sign: Float
  ) {
    let n = size
    // Stages of 2 and 4 points in one pass: twiddles 1 and ±i, no multiplications.
    if n >= 4 {
      for a in stride(from: 0, to: n, by: 4) {
        let (s0r, s0i) = (re[a] + re[a + 1], im[a] + im[a + 1])
        let (d0r, d0i) = (re[a] - re[a + 1], im[a] - im[a + 1])
        let (s1r, s1i) = (re[a + 2] + re[a + 3], im[a + 2] + im[a + 3])
        // (x₂ − x₃)·(sign·i).
        let (d1r, d1i) = (sign * (im[a + 3] - im[a + 2]), sign * (re[a + 2] - re[a + 3]))
        (re[a], im[a]) = (s0r + s1r, s0i + s1i)
        (re[a + 2], im[a + 2]) = (s0r - s1r, s0i - s1i)
        (re[a + 1], im[a + 1]) = (d0r + d1r, d0i + d1i)
        (re[a + 3], im[a + 3]) = (d0r - d1r, d0i - d1i)
      }
    } else if n == 2 {
      (re[0], re[1]) = (re[0] + re[1], re[0] - re[1])
      (im[0], im[1]) = (im[0] + im[1], im[0] - im[1])
    }
    stageCos.withUnsafeBufferPointer { wc in
      stageSin.withUnsafeBufferPointer { ws in
        var len = 8
        var offset = 0
        while len <= n {
          let half = len / 2
          let (c, s) = (wc.baseAddress! + offset, ws.baseAddress! + offset)
          if 2 * len <= n {
            // Stages of `len` and `2·len` points in one pass over each block of 2·len.
            let (c2, s2) = (c + half, s + half)
            var start = 0
            while start < n {
              let (ar, ai) = (re + start, im + start)
              let (br, bi, cr, ci, dr, di) = (
                ar + half, ai + half, ar + len, ai + len, ar + len + half, ai + len + half
              )
              for k in stride(from: 0, to: half, by: 4) {
                let (w1r, w1i) = (Quad(c + k), sign * Quad(s + k))
                butterfly(ar + k, ai + k, br + k, bi + k, w1r, w1i)
                butterfly(cr + k, ci + k, dr + k, di + k, w1r, w1i)
                butterfly(ar + k, ai + k, cr + k, ci + k, Quad(c2 + k), sign * Quad(s2 + k))
                butterfly(
                  br + k, bi + k, dr + k, di + k, Quad(c2 + half + k), sign * Quad(s2 + half + k))
              }
              start += 2 * len
            }
            offset += half + len
            len <<= 2
          } else {
            var start = 0
            while start < n {
              let (ar, ai) = (re + start, im + start)
              for k in stride(from: 0, to: half, by: 4) {
                butterfly(
                  ar + k, ai + k, ar + half + k, ai + half + k, Quad(c + k), sign * Quad(s + k))
              }
              start += len
            }
            offset += half
            len <<= 1
          }
        }
      }
    }
  }
}

/// Four consecutive floats (stages of ≥ 8 points have ≥ 4 butterflies per block).
private typealias Quad = SIMD4<Float>

extension SIMD4 where Scalar == Float {
  /// The four floats at `p`.
  @inline(__always) fileprivate init(_ p: UnsafePointer<Float>) {
    self = UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
  }
}

/// Four radix-2 butterflies `(a, b) ← (a + w·b, a − w·b)` on split complex values at consecutive
/// positions, `w = wr + i·wi`.
@inline(__always)
private func butterfly(
  _ ar: UnsafeMutablePointer<Float>, _ ai: UnsafeMutablePointer<Float>,
  _ br: UnsafeMutablePointer<Float>, _ bi: UnsafeMutablePointer<Float>, _ wr: Quad, _ wi: Quad
) {
  let (xr, xi, yr, yi) = (Quad(ar), Quad(ai), Quad(br), Quad(bi))
  let tr = yr * wr - yi * wi
  let ti = yr * wi + yi * wr
  UnsafeMutableRawPointer(br).storeBytes(of: xr - tr, as: Quad.self)
  UnsafeMutableRawPointer(bi).storeBytes(of: xi - ti, as: Quad.self)
  UnsafeMutableRawPointer(ar).storeBytes(of: xr + tr, as: Quad.self)
  UnsafeMutableRawPointer(ai).storeBytes(of: xi + ti, as: Quad.self)
}

/// Four radix-2 decimation-in-frequency butterflies `(a, b) ← (a + b, (a − b)·w)` on split
/// complex values at consecutive positions, `w = wr + i·wi`.
@inline(__always)
private func splitButterfly(
  _ ar: UnsafeMutablePointer<Float>, _ ai: UnsafeMutablePointer<Float>,
  _ br: UnsafeMutablePointer<Float>, _ bi: UnsafeMutablePointer<Float>, _ wr: Quad, _ wi: Quad
) {
  let (xr, xi, yr, yi) = (Quad(ar), Quad(ai), Quad(br), Quad(bi))
  let (dr, di) = (xr - yr, xi - yi)
  UnsafeMutableRawPointer(ar).storeBytes(of: xr + yr, as: Quad.self)
  UnsafeMutableRawPointer(ai).storeBytes(of: xi + yi, as: Quad.self)
  UnsafeMutableRawPointer(br).storeBytes(of: dr * wr - di * wi, as: Quad.self)
  UnsafeMutableRawPointer(bi).storeBytes(of: dr * wi + di * wr, as: Quad.self)
}
