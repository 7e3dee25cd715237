import Layers
import Models
import Tensor
import XCTest

@testable import Training

/// Every option that `ModelFlags` honours changes the model: for each option of each reference
/// parser and each alternative value, the model built with it differs from the base model in its
/// parameters (names or shapes) or in its training-mode output, on at least one base model of that
/// parser where the option applies.
final class ModelFlagEffectTests: XCTestCase {
  /// Tiny base models per parser: (arch, words shrinking it).
  static let bases: [ModelParser: [(String, [String])]] = [
    .lra: [
      ("mega_lra_listop", classifier + ["--chunk-size", "-1"]),
      ("mega_lra_listop", classifier + PaperRecipeOptions.words("mega_lra_listop")),
      ("slag_lra_listop", classifier + ["--chunk-size", "4"]),
      ("mega_lra_aan", classifier + ["--chunk-size", "-1", "--norm-type", "layernorm"]),
      (
        "slag_lra_aan",
        classifier + ["--chunk-size", "4", "--classifier-out-dim", "16", "--norm-type", "rmsnorm"]
      ),
    ],
    .sc: [
      ("mega_sc_raw_base", audio + ["--chunk-size", "-1", "--sentence-class-num", "3"]),
      ("mega_sc_raw_base", audio + ["--chunk-size", "8", "--norm-type", "layernorm"]),
      ("slag_sc_raw_base", audio + ["--chunk-size", "4", "--sentence-class-num", "3"]),
    ],
    .lm: [
      ("mega_lm_enwik8_base", languageModel + ["--decoder-chunk-size", "-1"]),
      ("mega_lm_enwik8_base", languageModel + ["--decoder-chunk-size", "8", "--normalize-before"]),
      ("slag_lm_enwik8_base_v2", languageModel + ["--decoder-chunk-size", "4"]),
    ],
  ]

  static let audio = [
    "--encoder-layers", "1", "--encoder-embed-dim", "8", "--encoder-hidden-dim", "8",
    "--z-dim", "4", "--n-dim", "2", "--classifier-out-dim", "8", "--max-positions", "32",
  ]

  static let classifier = audio + ["--vocab-size", "20"]

  static let languageModel = [
    "--decoder-layers", "1", "--decoder-embed-dim", "8", "--decoder-hidden-dim", "8",
    "--decoder-z-dim", "4", "--decoder-n-dim", "2", "--max-target-positions", "32",
    "--vocab-size", "20", "--rel-pos-bias", "simple",
  ]

  /// Values to try for each option (a switch is tried as given).
  static let alternatives: [String: [String]] = [
    "dropout": ["0.3"], "attention-dropout": ["0.3"], "act-dropout": ["0.3"],
    "hidden-dropout": ["0.3"], "activation-dropout": ["0.3"],
    "encoder-hidden-dim": ["12"], "encoder-ffn-embed-dim": ["12"], "z-dim": ["6"], "n-dim": ["3"],
    "encoder-layers": ["2"], "encoder-embed-dim": ["12"], "max-positions": ["48"],
    "sentence-class-num": ["5"], "chunk-size": ["-1", "8"], "classifier-out-dim": ["12"],
    "classifier-layers": ["2", "0"], "truncation-length": ["3"], "init-temp-scale": ["0.7"],
    "act-bias": ["0.5"], "vocab-size": ["30"], "padding-idx": ["2"],
    "decoder-embed-dim": ["12"], "decoder-hidden-dim": ["12"], "decoder-z-dim": ["6"],
    "decoder-n-dim": ["3"], "decoder-ffn-embed-dim": ["12"], "decoder-chunk-size": ["-1", "8"],
    "decoder-layers": ["2"], "decoder-input-dim": ["6"], "max-target-positions": ["48"],
    "classifier-activation-fn": ["relu", "gelu_fast", "gelu_accurate", "linear", "silu"],
    "activation-fn": ["relu", "gelu", "gelu_fast", "gelu_accurate", "linear"],
    "attention-activation-fn": ["softmax", "relu2", "laplace"], "rel-pos-bias": ["rotary"],
    "norm-type": ["layernorm", "scalenorm", "rmsnorm", "batchnorm"], "sen-rep-type": ["cls"],
    "normalization-type": ["scalenorm"], "input-type": ["image"], "layer-type": ["mega", "slag"],
  ]

  /// Options whose effect this test cannot show, and why (each is checked elsewhere).
  static let exempt: [String: String] = [
    "_sc/sen-rep-type": "SCRawModel has mp only (cls is refused)",
    "_sc/classifier-layers=0": "SCRawModel builds one hidden block at least (0 is 1)",
    "_sc/attention-activation-fn=laplace": "the SC archs' own value (relu2, softmax tested)",
    "_lm/attention-activation-fn=softmax": "the LM archs' own value (relu2, laplace tested)",
    "_sc/encoder-normalize-before": "on in every SC arch (the reference's own default)",
    "adaptive-input": "they act together; ModelFlagsTests.testAdaptiveOptionsActTogether",
    "adaptive-input-cutoff": "", "adaptive-input-factor": "", "adaptive-softmax-cutoff": "",
    "adaptive-softmax-factor": "", "adaptive-softmax-dropout": "", "tie-adaptive-weights": "",
    "tie-adaptive-proj": "",
  ]

  func testEveryHonouredOptionChangesTheModel() throws {
    var failures: [String] = []
    for parser in ModelParser.allCases {
      for flag in ModelFlags.table where flag.parsers.contains(parser) {
        guard case .sets = flag.effect else { continue }
        if Self.exempt[flag.name] != nil || Self.exempt["_\(parser)/\(flag.name)"] != nil {
          continue
        }
        let values: [String?] = flag.isSwitch ? [nil] : Self.alternatives[flag.name] ?? ["<none>"]
        for value in values where Self.exempt["_\(parser)/\(flag.name)=\(value ?? "")"] == nil {
          let extra = ["--" + flag.name] + (value.map { [$0] } ?? [])
          if try !differsOnSomeBase(parser, extra, seqBoatOnly: flag.seqBoatOnly) {
            failures.append("\(parser.rawValue): \(extra.joined(separator: " "))")
          }
        }
      }
    }
    XCTAssertEqual(failures, [], "options without effect")
  }

  /// Whether `extra` changes the model on some base of `parser` that accepts it.
  private func differsOnSomeBase(_ parser: ModelParser, _ extra: [String], seqBoatOnly: Bool)
    throws -> Bool
  {
    for (arch, words) in Self.bases[parser]! {
      if seqBoatOnly, !arch.hasPrefix("slag") { continue }
      let base = try ModelArgs.config(
        arch: arch, values: ModelFlags.entries(arch: arch, words: words))
      guard
        let changed = try? ModelArgs.config(
          arch: arch, values: ModelFlags.entries(arch: arch, words: words + extra))
      else { continue }
      if try fingerprint(base) != fingerprint(changed) { return true }
    }
    return false
  }

  /// Parameters (names, shapes, values) and the training-mode output on a fixed batch.
  private func fingerprint(_ config: ModelConfig) throws -> [String] {
    let model = makeModel(config, seed: 5)
    let ctx = ForwardContext(training: true)
    // Noise on every parameter (as the golden files do), so zero-initialised gates and router
    // projections do not hide an option's effect.
    var rng = SplitMix64(seed: 9)
    for (_, t) in model.parameters {
      t.data = t.data.map { $0 + Float(rng.normal()) * 0.3 }
    }
    let names = model.parameters.map { "\($0.name)\($0.tensor.shape)\($0.tensor.data)" }
    let ids = (0..<32).map { [3, 1, 2, 7, 9, 4, 11, 5][$0 % 8] + ($0 / 8) }
    let padded = ids.enumerated().map { $0.offset >= 28 ? config.paddingIndex : $0.element }
    let output: [Float]
    if let m = model as? SequenceClassifier {
      if config.input == .realNumbers {
        let values = Tensor(shape: [2, 16], data: ids.map { Float($0) / 10 - 0.5 })
        output = try m.logits(.values(values), ctx).data
      } else if config.twoInputs {
        output = try m.logits(.tokenPair(padded, ids.reversed(), batch: 2), ctx).data
      } else {
        output = try m.logits(.tokens(padded, batch: 2), ctx).data
      }
    } else if let m = model as? LanguageModel {
      let targets = Array(padded.dropFirst()) + [4]
      let (loss, _) = try m.loss(tokens: padded, targets: targets, batch: 2, ctx)
      output = loss.data + (try m.features(tokens: ids, batch: 2, ctx)).data
    } else {
      throw XCTSkip("model kind \(type(of: model))")
    }
    return names + output.map { String($0) }
  }
}
