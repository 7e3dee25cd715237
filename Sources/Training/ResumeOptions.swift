/// fairseq's checkpoint-loading options (`checkpoint_utils.load_checkpoint`,
/// `Trainer.load_checkpoint`): which parts of a loaded checkpoint apply. Like fairseq's, the reset
/// flags apply to every load, `checkpoint_last.h5` included (a requeued job that keeps them resets
/// again); `--finetune-from-model` applies only while the save folder has no `checkpoint_last.h5`.
public struct ResumeOptions: Equatable {
  /// `--reset-optimizer`: Adam's moments and steps, the update count (so the learning-rate
  /// schedule and `--max-update` count from 0) and the fp16 loss scaler are not loaded, nor is the
  /// best metric (fairseq restores `best` only without this flag and `--reset-meters`).
  public var resetOptimizer = false
  /// `--reset-lr-scheduler`: the learning-rate schedule starts again from its first update.
  public var resetLRScheduler = false
  /// `--reset-dataloader`: epoch 1, first batch (the saved epoch and position are not loaded).
  public var resetDataloader = false
  /// `--reset-meters`: the best validation metric is not loaded.
  public var resetMeters = false
  /// `--finetune-from-model PATH`: weights only (every reset above) from PATH when the save folder
  /// has no `checkpoint_last.h5`.
  public var finetuneFromModel: String?

  /// Nothing reset, no fine-tuning.
  public init() {}

  /// Every part reset: what `--finetune-from-model` loads under.
  static var weightsOnly: ResumeOptions {
    var o = ResumeOptions()
    o.resetOptimizer = true
    o.resetLRScheduler = true
    o.resetDataloader = true
    o.resetMeters = true
    return o
  }

  /// The reset flags given, by name.
  var givenResets: [String] {
    [
      ("--reset-optimizer", resetOptimizer), ("--reset-lr-scheduler", resetLRScheduler),
      ("--reset-dataloader", resetDataloader), ("--reset-meters", resetMeters),
    ].filter(\.1).map(\.0)
  }

  /// Whether `flag` (one of the reset flags) is in effect.
  func resets(_ flag: String) -> Bool { givenResets.contains(flag) }

  /// fairseq's refusals: `--finetune-from-model` together with `--restore-file` or a reset flag.
  public func validate(restoreFile: String) throws {
    guard let model = finetuneFromModel else { return }
    guard !model.isEmpty else { throw TrainingError("--finetune-from-model: give a file") }
    guard restoreFile.isEmpty else {
      throw TrainingError("--finetune-from-model and --restore-file cannot be given together")
    }
    if let flag = givenResets.first {
      throw TrainingError(
        "--finetune-from-model cannot be given with \(flag) (it resets everything itself)")
    }
  }
}
