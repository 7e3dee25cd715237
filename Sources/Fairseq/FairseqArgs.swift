import Models
import Pickle
import Training

/// The fairseq `args` namespace of a seqboat configuration and training options: the model
/// options under the reference parser's names (what `import-fairseq` reads back to the same
/// configuration), the task and criterion the reference trains the model with, and the
/// optimizer and schedule options. fairseq fills in every other default when it loads the file.
enum FairseqArgs {
  static func namespace(_ c: ModelConfig, options o: TrainOptions) -> [(String, PickleValue)] {
    var a: [(String, PickleValue)] = [("arch", .string(c.arch))]
    func set(_ key: String, _ value: PickleValue) { a.append((key, value)) }
    func int(_ key: String, _ v: Int) { set(key, .int(v)) }
    func float(_ key: String, _ v: Float) { set(key, .float(Double(v))) }
    func flag(_ key: String, _ v: Bool) { set(key, .bool(v)) }
    func text(_ key: String, _ v: String) { set(key, .string(v)) }
    let lm = c.task == .lm
    switch c.task {
    case .lra: text("task", c.input == .tokens ? "lra-text" : "lra-image")
    case .sc: text("task", "speech_commands")
    case .lm: text("task", "language_modeling")
    }
    text(
      "criterion",
      lm ? (c.adaptiveCutoffs == nil ? "cross_entropy" : "adaptive_loss") : "lra_cross_entropy")
    text("best_checkpoint_metric", lm ? "loss" : "accuracy")
    flag("maximize_best_checkpoint_metric", !lm)
    let prefix = lm ? "decoder_" : "encoder_"
    int(prefix + "layers", c.layers)
    int(prefix + "embed_dim", c.embedDim)
    int(prefix + "hidden_dim", c.hiddenDim)
    int(prefix + "ffn_embed_dim", c.ffnDim)
    int((lm ? "decoder_" : "") + "z_dim", c.zDim)
    int((lm ? "decoder_" : "") + "n_dim", c.nDim)
    int((lm ? "decoder_" : "") + "chunk_size", c.chunkSize)
    set("truncation_length", c.truncation.map { .int($0) } ?? .none)
    text("attention_activation_fn", c.attentionActivation.rawValue)
    text("activation_fn", c.activation.rawValue)
    text("rel_pos_bias", c.relPosBias.rawValue)
    float("dropout", c.dropout)
    float("attention_dropout", c.attentionDropout)
    flag("normalize_embedding", c.normalizeEmbedding)
    if c.family == .seqboat {
      float("init_temp_scale", c.initTempScale)
      flag("local_pos", c.localPos)
      set("act_bias", .float(Double(c.actBias)))
    }
    if lm {
      int("max_target_positions", c.maxPositions)
      text("normalization_type", c.normType.rawValue)
      flag("normalize_before", c.prenorm)
      float("hidden_dropout", c.hiddenDropout)
      float("activation_dropout", c.activationDropout)
      flag("share_decoder_input_output_embed", c.shareEmbedding)
      flag("no_affine_final_norm", c.noAffineFinalNorm)
      flag("no_scale_embedding", !c.scaleEmbedding)
      int("decoder_input_dim", c.decoderInputDim ?? c.embedDim)
      let cutoffs: PickleValue =
        c.adaptiveCutoffs.map {
          .string($0.map(String.init).joined(separator: ","))
        } ?? .none
      let adaptive = c.adaptiveCutoffs != nil
      flag("adaptive_input", adaptive)
      set("adaptive_input_cutoff", cutoffs)
      set("adaptive_softmax_cutoff", cutoffs)
      int("adaptive_input_factor", c.adaptiveFactor)
      int("adaptive_softmax_factor", c.adaptiveFactor)
      flag("tie_adaptive_weights", adaptive)
      flag("tie_adaptive_proj", adaptive)
      float("adaptive_softmax_dropout", c.adaptiveSoftmaxDropout)
      int("tokens_per_sample", o.tokensPerSample)
      text("sample_break_mode", o.sampleBreakMode)
    } else {
      int("max_positions", c.maxPositions)
      int("max_source_positions", c.maxPositions)
      text("norm_type", c.normType.rawValue)
      flag("encoder_normalize_before", c.prenorm)
      float("act_dropout", c.hiddenDropout)
      int("sentence_class_num", c.classes)
      int("classifier_out_dim", c.classifierOutDim)
      int("classifier_in_dim", c.classifierInDim)
      int("classifier_layers", c.classifierLayers)
      text("classifier_activation_fn", c.classifierActivation.rawValue)
      text("sen_rep_type", c.sentenceRepresentation.rawValue)
      text("layer_type", c.family == .seqboat ? "slag" : "mega")
      if c.task == .lra { text("input_type", c.input == .tokens ? "text" : "image") }
      flag("use_nli", c.useNLI)
      flag("add_apos", c.addAbsolutePositions)
      flag("use_p", false)
      flag("sentence_avg", true)
    }
    text("optimizer", o.optimizer)
    text("adam_betas", o.adamBetas)
    set("adam_eps", .float(o.adamEps))
    set("weight_decay", .float(o.weightDecay))
    set("lr", .list(PickleList([.float(o.lr)])))
    text("lr_scheduler", o.lrScheduler)
    int("warmup_updates", o.warmupUpdates)
    int("total_num_update", o.totalNumUpdate)
    set("end_learning_rate", .float(o.endLearningRate))
    int("max_update", o.maxUpdate)
    int("max_epoch", o.maxEpoch)
    set("clip_norm", .float(o.clipNorm))
    set("update_freq", .list(PickleList([.int(o.updateFreq)])))
    int("seed", Int(truncatingIfNeeded: o.seed))
    return a
  }
}
