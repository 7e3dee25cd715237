/// `e^x` in float32 by range reduction and a degree-6 polynomial (Cephes' `expf` constants),
/// branch-free so that loops over arrays vectorise: within 2 ulp of `expf` for x ≥ −87.3, 0 below
/// (so `fastExp(−∞) = 0`), and `e^88` for x > 88.
@inlinable @inline(__always)
public func fastExp(_ x: Float) -> Float {
  let xc = min(max(x, -87.33654), 88)
  // Round x·log2(e) to the nearest integer n with the 1.5·2²³ trick: n sits in the low mantissa
  // bits of `shifted`, so 2ⁿ is built with wrapping integer operations (no checked conversion).
  let magic: Float = 12_582_912
  let shifted = xc * 1.442_695_04 + magic
  let n = shifted - magic
  let r = xc - n * 0.693_359_375 + n * 2.121_944_4e-4
  var p: Float = 1.987_569_15e-4
  p = p * r + 1.398_199_95e-3
  p = p * r + 8.333_451_9e-3
  p = p * r + 4.166_579_59e-2
  p = p * r + 1.666_666_55e-1
  p = p * r + 5.000_000_1e-1
  let e = p * r * r + r + 1
  let scale = Float(bitPattern: (shifted.bitPattern &- magic.bitPattern &+ 127) &<< 23)
  return x < -87.33654 ? 0 : e * scale
}

/// `erfc(a)` for `a ≥ 0`, together with the Gaussian `e^{−a²}` it is built from (the laplace
/// attention's slope reuses it): `e^{−a²}·t·P(t)` with `t = 1/(1 + 0.3a)` and `P` a degree-8
/// polynomial fitted to `erfcx(a)/t` (relative error 2e-8 in exact arithmetic; in float32 within
/// 7e-7 for a < 2, growing to 1e-5 at a = 9 with the rounding of a²). Branch-free, so loops over
/// arrays vectorise.
@inlinable @inline(__always)
public func fastErfc(nonNegative a: Float) -> (erfc: Float, gaussian: Float) {
  let t = 1 / (1 + 0.3 * a)
  var p: Float = -0.129_523_51
  p = p * t + 0.485_566_02
  p = p * t - 0.512_283_58
  p = p * t + 0.547_725_94
  p = p * t - 0.094_654_544
  p = p * t + 0.214_927_57
  p = p * t + 0.148_338_82
  p = p * t + 0.170_715_27
  p = p * t + 0.169_188_00
  let gaussian = fastExp(-a * a)
  return (gaussian * t * p, gaussian)
}

/// `erf(x)` in float32, branch-free (`1 − erfc(|x|)` with the sign of x): within 5e-7 of the exact
/// value everywhere.
@inlinable @inline(__always)
public func fastErf(_ x: Float) -> Float {
  let tail = fastErfc(nonNegative: abs(x)).erfc
  return x < 0 ? tail - 1 : 1 - tail
}
