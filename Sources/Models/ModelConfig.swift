import Layers
import Tensor

/// Which paper's layer a model stacks.
public enum LayerFamily: String, Sendable {
  /// Mega (`MovingAverageGatedAttention`).
  case mega
  /// SeqBoat (`SeqBoatUnit`, reference `layer_type` "slag").
  case seqboat
}

/// What a model reads and predicts.
public enum ModelTask: String, Sendable {
  /// LRA classification (`LRAModel`): token ids, or pixels with `input = .realNumbers`.
  case lra
  /// Speech Commands raw audio (`SCRawModel`).
  case sc
  /// Decoder-only language model.
  case lm
}

/// The input of a classifier.
public enum ModelInput: String, Sendable {
  /// Token ids through an embedding table.
  case tokens
  /// Real values (pixels, audio samples) through `RealNumberEmbedding`.
  case realNumbers
}

/// How a classifier reduces the encoder's states to one vector (`sen_rep_type`).
public enum SentenceRepresentation: String, Sendable, CaseIterable {
  /// Mean over the non-padding positions.
  case mp
  /// The state of the first position.
  case cls
}

/// Every reference argument of a Mega or SeqBoat model that changes its math or its parameters
/// (MODEL.md §1, §3–§5), under our names; the reference names are in the doc comments.
public struct ModelConfig: Sendable, Equatable {
  /// Preset name (`arch`).
  public var arch: String
  /// Mega or SeqBoat layers.
  public var family: LayerFamily
  /// Classifier (LRA, SC) or language model.
  public var task: ModelTask
  /// Token or real-valued input.
  public var input: ModelInput
  /// Embedding rows V (0 without a token embedding); MODEL.md §5.1.
  public var vocabSize: Int
  /// Padding token id (`padding_idx`, 1).
  public var paddingIndex: Int = 1
  /// `encoder_layers` / `decoder_layers`.
  public var layers: Int
  /// E: `encoder_embed_dim` / `decoder_embed_dim`.
  public var embedDim: Int
  /// H: `encoder_hidden_dim` / `decoder_hidden_dim`.
  public var hiddenDim: Int
  /// F: `encoder_ffn_embed_dim` / `decoder_ffn_embed_dim` (≤ 0: no NFFN).
  public var ffnDim: Int
  /// Z: `z_dim` / `decoder_z_dim`.
  public var zDim: Int
  /// N: `n_dim` / `decoder_n_dim`.
  public var nDim: Int
  /// C (Mega chunk) or W (SeqBoat window): `chunk_size` / `decoder_chunk_size`.
  public var chunkSize: Int
  /// `truncation_length` (nil = untruncated).
  public var truncation: Int?
  /// `max_positions` (LRA/SC) or `max_target_positions` (LM).
  public var maxPositions: Int
  /// `attention_activation_fn`: softmax, relu2 or laplace.
  public var attentionActivation: AttentionFunction
  /// `norm_type` / `normalization_type`.
  public var normType: NormType
  /// `encoder_normalize_before` / `normalize_before`.
  public var prenorm: Bool
  /// `activation_fn`.
  public var activation: Activation = .silu
  /// `rel_pos_bias`: simple or rotary.
  public var relPosBias: RelativePositionKind = .simple
  /// `dropout`.
  public var dropout: Float
  /// `attention_dropout`.
  public var attentionDropout: Float = 0
  /// Dropout on the values: `act_dropout` (LRA/SC) / `hidden_dropout` (LM).
  public var hiddenDropout: Float = 0
  /// Dropout on the NFFN hidden layer: `act_dropout` (LRA/SC) / `activation_dropout` (LM).
  public var activationDropout: Float = 0
  /// `sentence_class_num` (classifiers).
  public var classes: Int = 0
  /// Dc: `classifier_out_dim`.
  public var classifierOutDim: Int = 0
  /// `classifier_layers`: hidden `Linear → dropout → activation` blocks before the projection.
  public var classifierLayers: Int = 1
  /// `classifier_activation_fn`.
  public var classifierActivation: Activation = .gelu
  /// `sen_rep_type`: mean pooling or the first position.
  public var sentenceRepresentation: SentenceRepresentation = .mp
  /// `normalize_embedding`: a `SequenceNorm` of the norm type on the embedded input (`embed_norm`;
  /// post-norm models only, as the reference asserts).
  public var normalizeEmbedding: Bool = false
  /// LM `decoder_input_dim` (nil: E); a different width adds `project_in_dim` (no bias).
  public var decoderInputDim: Int? = nil
  /// LM embeddings scaled by √E (false: `no_scale_embedding`).
  public var scaleEmbedding: Bool = true
  /// Retrieval: two documents through the shared encoder (`classifier_in_dim` = 2E or 4E).
  public var twoInputs: Bool = false
  /// SeqBoat `--use-nli` (Retrieval features `[r2, r1, r1⊙r2, r1 − r2]`).
  public var useNLI: Bool = false
  /// SeqBoat `--local-pos` (slot-distance bias table, M = 3W).
  public var localPos: Bool = false
  /// SeqBoat `--init-temp-scale`.
  public var initTempScale: Float = 0.3
  /// SeqBoat `--add-apos` (always on for SeqBoat SC).
  public var addAbsolutePositions: Bool = false
  /// SeqBoat `--act-bias`.
  public var actBias: Float = 0
  /// LM `--share-decoder-input-output-embed`.
  public var shareEmbedding: Bool = true
  /// LM `--no-affine-final-norm`.
  public var noAffineFinalNorm: Bool = true
  /// LM adaptive input/softmax cutoffs (without V), nil when not adaptive.
  public var adaptiveCutoffs: [Int]? = nil
  /// LM `adaptive_input_factor` / `adaptive_softmax_factor`.
  public var adaptiveFactor: Int = 4
  /// LM `adaptive_softmax_dropout`.
  public var adaptiveSoftmaxDropout: Float = 0

  /// Whether layers are causal (language models).
  public var causal: Bool { task == .lm }

  /// Classifier input width Din (MODEL.md §5.5).
  public var classifierInDim: Int { twoInputs ? (useNLI ? 4 : 2) * embedDim : embedDim }

  /// Whether the model ends with a final norm of `normType` (pre-norm models, as the reference
  /// builds it; a language model's is without affine under `no_affine_final_norm`).
  public var hasFinalNorm: Bool { prenorm }

  /// The hidden classifier blocks built: `classifier_layers` for LRA; `SCRawModel` always builds
  /// a first one, then `classifier_layers − 1` more.
  public var classifierHiddenLayers: Int {
    task == .sc ? max(classifierLayers, 1) : classifierLayers
  }

  /// The width of the LM token embedding (`decoder_input_dim`, E when unset).
  public var embeddingDim: Int { decoderInputDim ?? embedDim }
}
