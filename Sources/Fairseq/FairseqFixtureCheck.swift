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
    let inputs = FixtureInputs(root: root, fixture: fixture, ids: ids)
    let reference = try GradMode.withoutGrad { try model.referenceOutputs(inputs, .evaluation()) }
    var outputs: [String: [Double]] = [:]
    for (name, tensor) in reference.tensors {
      let values =
        reference.overVocabulary.contains(name)
        ? fairseqOrder(tensor.data, rows: config.vocabSize, ids: ids) : tensor.data
      outputs[name] = values.map(Double.init)
    }
    outputs["loss"] = [Double(reference.lossSum.data[0]) / Double(max(reference.sampleSize, 1))]
    if let lprobs = outputs["lprobs"] {
      let targets = try inputs.labels("target")
      let width = lprobs.count / max(targets.count, 1)
      outputs["token_lprobs"] = targets.enumerated().map { i, t in
        t == config.paddingIndex ? 0 : lprobs[i * width + t]
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

/// A fixture's inputs in fairseq's numbering, translated to the checkpoint's token ids.
private struct FixtureInputs: ReferenceInputs {
  let root: HDF5Group
  let fixture: String
  /// The checkpoint's id of each fairseq id (nil: the numberings agree).
  let ids: [Int]?

  func tokens(_ name: String) throws -> (ids: [Int], batch: Int) {
    let d = try root.openDataset("inputs/\(name)")
    let values = try d.read(as: Int64.self).map { Int($0) }
    guard let ids else { return (values, d.shape.first ?? 0) }
    let translated = try values.map { t in
      guard ids.indices.contains(t) else {
        throw TorchFileError("\(fixture): /inputs/\(name): id \(t) is outside the dictionary")
      }
      return ids[t]
    }
    return (translated, d.shape.first ?? 0)
  }

  func labels(_ name: String) throws -> [Int] {
    try root.openDataset("inputs/\(name)").read(as: Int64.self).map { Int($0) }
  }

  func values(_ name: String) throws -> Tensor {
    let d = try root.openDataset("inputs/\(name)")
    return Tensor(shape: d.shape, data: try d.read(as: Float.self))
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
