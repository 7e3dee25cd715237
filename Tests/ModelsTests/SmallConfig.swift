import Models

extension ModelConfig {
  /// A one-layer, 8-wide version of preset `arch` for fast tests (LM vocabulary 12 rows).
  static func small(_ arch: String, maxPositions: Int, classifierOutDim: Int) throws -> ModelConfig
  {
    var c = try ModelConfig.preset(arch)
    c.layers = 1
    c.embedDim = 8
    c.hiddenDim = 8
    c.ffnDim = c.family == .mega ? 8 : -1
    c.zDim = 4
    c.nDim = 2
    c.chunkSize = 4
    c.maxPositions = maxPositions
    c.classifierOutDim = classifierOutDim
    if c.task == .lm { c.vocabSize = 12 }
    return c
  }
}
