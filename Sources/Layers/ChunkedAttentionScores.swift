import Tensor

extension ChunkedAttention {
  /// Turns one block's raw scores `w` (`[C, C]`, Q·Kᵀ) into weights in place: row scale s_i
  /// (saved in `scales`), bias, the causal mask, the key-padding mask (`padding`: the block's C
  /// keys, true = padding) and the attention function; laplace keeps f'(S) in `slopes`.
  static func activate(
    _ w: UnsafeMutablePointer<Float>, slopes: UnsafeMutablePointer<Float>?,
    scales: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>,
    padding: UnsafePointer<Bool>?, _ s: Shape
  ) {
    let c = s.c
    var realKeys = c
    if let padding {
      realKeys = 0
      for j in 0..<c where !padding[j] { realKeys += 1 }
    }
    for i in 0..<c {
      let scale: Float
      switch s.function {
      case .softmax: scale = 1 / Float(s.z).squareRoot()
      case .relu2, .laplace:
        scale = 1 / Float(s.causal ? i + 1 : (padding == nil ? c : max(realKeys, 1)))
      }
      scales[i] = scale
      let (row, biasRow, limit) = (w + i * c, bias + i * c, s.causal ? i + 1 : c)
      for j in 0..<c { row[j] = row[j] * scale + biasRow[j] }
      if s.function == .softmax {
        softmaxRow(row, limit: limit, c: c, padding: realKeys > 0 ? padding : nil)
      } else {
        elementRow(
          row, slopes: slopes.map { $0 + i * c }, limit: limit, c: c, padding: padding,
          s.function)
      }
    }
  }

  /// Softmax of `row[0..<limit]` with padding keys at −∞, zeros after `limit`; a row with every
  /// key masked is all zeros.
  private static func softmaxRow(
    _ row: UnsafeMutablePointer<Float>, limit: Int, c: Int, padding: UnsafePointer<Bool>?
  ) {
    if let padding { for j in 0..<limit where padding[j] { row[j] = -.infinity } }
    let m = RowKernels.max(row, limit)
    if m == -.infinity {
      row.update(repeating: 0, count: c)
      return
    }
    let inverse = 1 / RowKernels.expSum(row, limit, shift: m)
    for j in 0..<limit { row[j] *= inverse }
    (row + limit).update(repeating: 0, count: c - limit)
  }

  /// relu2 or laplace of `row[0..<limit]` (laplace's f' in `slopes`), zero after `limit` and at
  /// padding keys.
  private static func elementRow(
    _ row: UnsafeMutablePointer<Float>, slopes: UnsafeMutablePointer<Float>?, limit: Int, c: Int,
    padding: UnsafePointer<Bool>?, _ function: AttentionFunction
  ) {
    if let slopes {
      for j in 0..<limit { (row[j], slopes[j]) = Activation.laplaceWithSlope(row[j]) }
      (slopes + limit).update(repeating: 0, count: c - limit)
    } else {
      for j in 0..<limit { row[j] = Activation.relu2.apply(row[j]) }
    }
    (row + limit).update(repeating: 0, count: c - limit)
    guard let padding else { return }
    for j in 0..<limit where padding[j] {
      row[j] = 0
      slopes?[j] = 0
    }
  }
}
