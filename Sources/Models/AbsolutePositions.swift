import Tensor

#if canImport(Glibc)
  import Glibc
#endif

/// SeqBoat's `--add-apos` sinusoidal positions (MODEL.md §5.4): `x + s·[sin(t·ω) ‖ cos(t·ω)]`
/// with a learned scalar `scale` (init E^{-1/2}) and the buffer `inv_freq` (`ω_k = 10000^{−2k/E}`).
public final class AbsolutePositions: Module {
  /// `scale [1]`.
  public let scale: Tensor
  /// `inv_freq [E/2]` (buffer).
  public let invFreq: Tensor

  /// Positions for width `dim` (even).
  public init(dim: Int) {
    scale = Tensor(shape: [1], data: [1 / Float(dim).squareRoot()], requiresGrad: true)
    let half = dim / 2
    invFreq = Tensor(
      shape: [half], data: (0..<half).map { Float(pow(10000, -2 * Double($0) / Double(dim))) })
  }

  public var members: [ModuleMember] { [.parameter("scale", scale), .buffer("inv_freq", invFreq)] }

  /// `x` (`[B, L, E]`) plus the scaled positions `t = 0 ..< L`.
  public func callAsFunction(_ x: Tensor) -> Tensor {
    let (bsz, len, e) = (x.shape[0], x.shape[1], x.shape[2])
    let half = invFreq.count
    var table = [Float](repeating: 0, count: bsz * len * e)
    for t in 0..<len {
      for k in 0..<half {
        let angle = Double(t) * Double(invFreq.data[k])
        for b in 0..<bsz {
          table[(b * len + t) * e + k] = Float(sin(angle))
          table[(b * len + t) * e + half + k] = Float(cos(angle))
        }
      }
    }
    return x + Tensor(shape: x.shape, data: table).multiplyingScalar(scale)
  }
}
