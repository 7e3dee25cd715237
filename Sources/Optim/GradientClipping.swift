import Tensor

/// fairseq's clipping by the global norm (MODEL.md §6.2): g = ‖all gradients‖₂ over every parameter
/// that has one; when `maxNorm` > 0 every gradient is multiplied by `min(1, maxNorm/(g + 1e-6))`.
/// Returns g before clipping (what is logged and what the fp16 overflow check uses).
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Double) -> Double {
  var sumSquares = 0.0
  for p in parameters {
    guard let g = p.grad else { continue }
    for x in g { sumSquares += Double(x) * Double(x) }
  }
  let norm = sumSquares.squareRoot()
  guard let coefficient = clipCoefficient(norm: norm, maxNorm: maxNorm) else { return norm }
  for p in parameters where p.grad != nil {
    p.grad!.withUnsafeMutableBufferPointer { g in
      for i in 0..<g.count { g[i] *= coefficient }
    }
  }
  return norm
}

/// The factor fairseq's clipping multiplies every gradient by when their global norm is `norm`:
/// `min(1, maxNorm/(norm + 1e-6))`, or nil when it leaves them unchanged (`maxNorm` 0: no
/// clipping, or a factor of 1).
public func clipCoefficient(norm: Double, maxNorm: Double) -> Float? {
  guard maxNorm > 0 else { return nil }
  let coefficient = Float(min(1, maxNorm / (norm + 1e-6)))
  return coefficient == 1 ? nil : coefficient
}
