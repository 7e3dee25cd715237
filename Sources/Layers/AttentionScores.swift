import Tensor

/// The attention-score backward shared by Mega's chunked attention and SeqBoat's local attention:
/// from the gradient of one block of attention weights to that of its scores.
enum AttentionScores {
  /// Turns `d` (`rows × cols`, dL/dP of one block of weights after dropout) into the unscaled
  /// score gradient dL/dS in place: first the dropout mask (row i of the block is the mask's
  /// `first + i·rowStride ..< first + i·rowStride + cols`), then the attention function's
  /// derivative, through the weights `p` (softmax, relu2) or the saved slopes f'(S) (laplace).
  static func backward(
    _ d: UnsafeMutablePointer<Float>, p: UnsafePointer<Float>, slopes: UnsafePointer<Float>?,
    rows: Int, cols: Int, function: AttentionFunction, dropout: DropoutDraw?, first: Int,
    rowStride: Int
  ) {
    for i in 0..<rows {
      dropout?.apply(to: d + i * cols, first: first + i * rowStride, count: cols)
    }
    for i in 0..<rows {
      let (dr, pr) = (d + i * cols, p + i * cols)
      switch function {
      case .softmax:
        var dot: Float = 0
        for j in 0..<cols { dot += dr[j] * pr[j] }
        for j in 0..<cols { dr[j] = pr[j] * (dr[j] - dot) }
      case .relu2:
        for j in 0..<cols { dr[j] *= 2 * pr[j].squareRoot() }
      case .laplace:
        let slope = slopes! + i * cols
        for j in 0..<cols { dr[j] *= slope[j] }
      }
    }
  }

  /// `d[i, j] *= scales[i]`: the score gradient times each query's scale (the gradient of the
  /// scaled product `s_i·q_i·k_j`).
  static func scaleRows(
    _ d: UnsafeMutablePointer<Float>, _ scales: UnsafePointer<Float>, rows: Int, cols: Int
  ) {
    for i in 0..<rows {
      let (dr, s) = (d + i * cols, scales[i])
      for j in 0..<cols { dr[j] *= s }
    }
  }
}
