import Models

/// The model of `config` as the kind a test needs, or nil when `config` builds another kind.
func makeModelAs<M: Model>(_: M.Type, _ config: ModelConfig, seed: UInt64 = 1) -> M? {
  makeModel(config, seed: seed) as? M
}
