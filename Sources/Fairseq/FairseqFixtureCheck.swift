import Foundation
import Golden
import HDF5
import Models
import Pickle
import Tensor
import Training

/// `seqboat verify-golden --checkpoint MODEL.h5 NAME.expected.h5`: a checkpoint's model on a
/// fairseq fixture's inputs (schema `seqboat-fairseq-fixture`: `inputs/src_tokens`, `target`,
/// token ids in fairseq's numbering, translated through the checkpoint's `/fairseq/token_ids`),
/// in eval mode, against every output of `outputs/float32` and `outputs/float64` (logits and
/// loss; for adaptive language models features, lprobs, token_lprobs and loss; vocabulary-sized
/// outputs translated back to fairseq's order) under the fixture's tolerance.
public enum FairseqFixtureCheck {
  /// The comparisons of `fixture` against the model in `checkpoint`; throws one line naming the
  /// file and the field.
  public static func run(checkpoint path: String, fixture: String) throws -> [GoldenComparison] {
    let ck = try Checkpoint.read(path)
    guard let arch = ck.modelArgs["arch"] else {
      throw TorchFileError("\(path): / model_args: no arch")
    }
    let config = try ModelArgs.config(arch: arch, values: ck.modelArgs)
    let ids = try FairseqCheckpointFile.tokenIDs(path)
    let model = makeModel(config)
    try model.load(ck.tensors)
    let file = try HDF5File.open(fixture)
    let root = try file.root()
    guard root.hasAttribute("schema"),
      try root.stringAttribute("schema") == "seqboat-fairseq-fixture"
    else {
      throw TorchFileError("\(fixture): / schema: not a seqboat-fairseq-fixture file")
    }
    let tolerance = try FairseqFixtureCheck.tolerance(root, fixture: fixture)
    func input(_ name: String) throws -> (shape: [Int], values: [Int]) {
      let d = try root.openDataset("inputs/\(name)")
      return (d.shape, try d.read(as: Int64.self).map { Int($0) })
    }
    func translated(_ tokens: [Int], field: String) throws -> [Int] {
      guard let ids else { return tokens }
      return try tokens.map { t in
        guard ids.indices.contains(t) else {
          throw TorchFileError("\(fixture): /inputs/\(field): id \(t) is outside the dictionary")
        }
        return ids[t]
      }
    }
    let tokens = try input("src_tokens")
    let batch = tokens.shape.first ?? 0
    var outputs: [String: [Double]] = [:]
    try GradMode.withoutGrad {
      if let m = model as? SequenceClassifier {
        let targets = try input("target").values
        let source: ClassifierInput
        if config.input == .realNumbers {
          let values = try root.openDataset("inputs/src_tokens").read(as: Float.self)
          source = .values(Tensor(shape: tokens.shape, data: values))
        } else if config.twoInputs {
          source = .tokenPair(
            try translated(tokens.values, field: "src_tokens"),
            try translated(try input("src1_tokens").values, field: "src1_tokens"), batch: batch)
        } else {
          source = .tokens(try translated(tokens.values, field: "src_tokens"), batch: batch)
        }
        let logits = try m.logits(source, .evaluation())
        let (sum, _) = try Losses.classification(logits: logits, targets: targets)
        outputs["logits"] = logits.data.map(Double.init)
        outputs["loss"] = [Double(sum.data[0]) / Double(max(batch, 1))]
      } else if let m = model as? LanguageModel {
        let ours = try translated(tokens.values, field: "src_tokens")
        let fairseqTargets = try input("target").values
        let targets = try translated(fairseqTargets, field: "target")
        let features = try m.features(tokens: ours, batch: batch, .evaluation())
        let (sum, count) = try m.loss(tokens: ours, targets: targets, batch: batch, .evaluation())
        outputs["loss"] = [Double(sum.data[0]) / Double(max(count, 1))]
        let rows = config.vocabSize
        let back = { (values: [Float]) in
          FairseqFixtureCheck.fairseqOrder(values, rows: rows, ids: ids).map(Double.init)
        }
        if let adaptive = m.adaptive {
          outputs["features"] = features.data.map(Double.init)
          let lprobs = back(adaptive.logProbabilities(features: features))
          let width = lprobs.count / max(fairseqTargets.count, 1)
          outputs["lprobs"] = lprobs
          outputs["token_lprobs"] = fairseqTargets.enumerated().map { i, t in
            t == config.paddingIndex ? 0 : lprobs[i * width + t]
          }
        } else {
          outputs["logits"] = back(m.logits(features: features).data)
        }
      } else {
        throw TorchFileError("\(path): model kind \(type(of: model)) has no fixture outputs")
      }
    }
    var results: [GoldenComparison] = []
    for precision in ["float32", "float64"] where root.exists("outputs/\(precision)") {
      let group = try root.openGroup("outputs/\(precision)")
      for name in try group.memberNames().sorted() {
        let d = try group.openDataset(name)
        let reference = GoldenArray(
          shape: d.shape, values: try d.read(as: Double.self), isInteger: false)
        let path = "/outputs/\(precision)/\(name)"
        guard let got = outputs[name] else {
          results.append(GoldenComparison(missing: path, tolerance: tolerance))
          continue
        }
        results.append(
          GoldenComparison(path: path, got: got, reference: reference, tolerance: tolerance))
      }
    }
    return results
  }

  /// `outputs_atol_rel` of the fixture's `tolerance_hint` (1e-4 when it has none).
  static func tolerance(_ root: HDF5Group, fixture: String) throws -> Double {
    guard root.hasAttribute("tolerance_hint") else { return 1e-4 }
    let text = try root.stringAttribute("tolerance_hint")
    guard let hint = try? JSONValue(parsing: text), let value = hint["outputs_atol_rel"]?.double,
      value > 0
    else {
      throw TorchFileError("\(fixture): / tolerance_hint: no positive outputs_atol_rel")
    }
    return value
  }

  /// Rows of `rows` values (one per seqboat id) as rows in fairseq's id order.
  static func fairseqOrder(_ values: [Float], rows: Int, ids: [Int]?) -> [Float] {
    guard let ids, rows > 0 else { return values }
    var out: [Float] = []
    out.reserveCapacity(values.count / rows * ids.count)
    for start in stride(from: 0, to: values.count, by: rows) {
      out += ids.map { values[start + $0] }
    }
    return out
  }
}

extension FairseqFixtureCheck {
  /// Checks every fixture against `checkpoint`, emitting one line per tensor and per file and
  /// the closing `N passed, M failed`; returns the counts of files.
  public static func verify(checkpoint: String, files: [String], emit: (String) -> Void) -> (
    passed: Int, failed: Int
  ) {
    var passed = 0
    for path in files {
      let name = URL(fileURLWithPath: path).lastPathComponent
      do {
        let results = try run(checkpoint: checkpoint, fixture: path)
        for r in results { emit(r.line(caseName: name)) }
        let failed = results.filter { !$0.passed }.count
        if results.isEmpty || failed > 0 {
          emit("\(name) FAIL (\(failed) of \(results.count) tensors outside tolerance)")
        } else {
          emit("\(name) ok (\(results.count) tensors)")
          passed += 1
        }
      } catch {
        emit("\(path): \(error)")
      }
    }
    emit("\(passed) passed, \(files.count - passed) failed")
    return (passed, files.count - passed)
  }
}
