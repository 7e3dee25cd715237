import Foundation

/// The checkpoint a run starts from, read and checked against the run: `save-dir/checkpoint_last.h5`
/// when it exists (a requeued or restarted run), else `--finetune-from-model` (weights only), else
/// `--restore-file`, else nothing (a fresh start).
struct ResumeSource {
  /// The file read.
  let path: String
  /// Its contents.
  let checkpoint: Checkpoint
  /// What of it applies.
  let reset: ResumeOptions
  /// Whether only the weights are taken (`--finetune-from-model`).
  let finetune: Bool

  /// The starting checkpoint of a run with `options` and `resume`, nil for a fresh start. A save
  /// folder holding checkpoints but no `checkpoint_last.h5` is refused (a fresh start would
  /// overwrite `checkpoint_best.h5`), naming the newest; a corrupt `checkpoint_last.h5` is
  /// refused naming the newest valid other checkpoint.
  static func find(options: TrainOptions, resume: ResumeOptions) throws -> ResumeSource? {
    let fm = FileManager.default
    let last = options.saveDir + "/checkpoint_last.h5"
    try Checkpoint.refuseLink(last)
    if fm.fileExists(atPath: last) {
      do {
        return ResumeSource(
          path: last, checkpoint: try Checkpoint.read(last), reset: resume, finetune: false)
      } catch {
        let hint =
          newest(in: options.saveDir, excluding: last, valid: true).map {
            "the newest valid checkpoint is \($0): move \(last) aside and resume with "
              + "--restore-file \($0)"
          } ?? "no other valid checkpoint in \(options.saveDir)"
        throw TrainingError("\(error); " + hint)
      }
    }
    if let model = resume.finetuneFromModel {
      guard fm.fileExists(atPath: model) else {
        throw TrainingError("--finetune-from-model \(model): file not found")
      }
      return ResumeSource(
        path: model, checkpoint: try Checkpoint.read(model), reset: .weightsOnly, finetune: true)
    }
    if !options.restoreFile.isEmpty {
      guard fm.fileExists(atPath: options.restoreFile) else {
        throw TrainingError("--restore-file \(options.restoreFile): file not found")
      }
      return ResumeSource(
        path: options.restoreFile, checkpoint: try Checkpoint.read(options.restoreFile),
        reset: resume, finetune: false)
    }
    if let newest = newest(in: options.saveDir, excluding: last, valid: false) {
      throw TrainingError(
        "--save-dir \(options.saveDir) holds checkpoints but no checkpoint_last.h5; resume with "
          + "--restore-file \(newest) or train into another --save-dir")
    }
    return nil
  }

  /// The most recently written `checkpoint*.h5` of `folder` other than `excluding`; with `valid`,
  /// the most recent one that reads without error.
  static func newest(in folder: String, excluding: String, valid: Bool) -> String? {
    let fm = FileManager.default
    let names = (try? fm.contentsOfDirectory(atPath: folder)) ?? []
    func date(_ p: String) -> Date {
      (try? fm.attributesOfItem(atPath: p)[.modificationDate] as? Date) ?? .distantPast
    }
    return names.filter { $0.hasPrefix("checkpoint") && $0.hasSuffix(".h5") }
      .map { folder + "/" + $0 }.filter { $0 != excluding }
      .sorted { date($0) > date($1) }
      .first { !valid || (try? Checkpoint.read($0)) != nil }
  }

  /// Refuses a checkpoint of another run: a model hyperparameter that differs (unless
  /// fine-tuning, where the weights' shapes are what must agree), or an identity field that
  /// differs without the reset flags that declare it intended. A checkpoint without an identity
  /// (older, or imported) is accepted; the returned warning names what could not be checked.
  func check(modelArgs mine: [String: String], identity: RunIdentity) throws -> String? {
    let saved = checkpoint.modelArgs
    for key in Set(mine.keys).union(saved.keys).sorted() where mine[key] != saved[key] && !finetune
    {
      throw TrainingError(
        "\(path): model --\(key) is \(saved[key] ?? "absent") in the checkpoint but "
          + "\(mine[key] ?? "absent") in this run")
    }
    guard let theirs = checkpoint.identity else {
      return "\(path) has no run identity (an older or imported checkpoint): its data file, "
        + "seed, batch size, optimizer and fp16 cannot be checked against this run"
    }
    for change in identity.changes(from: theirs) where !change.allowedBy.allSatisfy(reset.resets) {
      throw TrainingError(
        "\(path): \(change.flag) is \(change.saved) in the checkpoint but \(change.now) in this "
          + "run; give \(change.allowedBy.joined(separator: " and ")) if that is intended")
    }
    return nil
  }
}
