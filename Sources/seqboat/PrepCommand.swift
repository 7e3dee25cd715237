import ArgumentParser
import Data
import Foundation
import Prep

/// `seqboat prep <task> --raw PATH --out FILE.h5`: converts a raw download into a dataset file.
struct PrepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "prep",
    abstract: "Convert a raw dataset download into a seqboat HDF5 file (DATASETS.md).",
    discussion: "Tasks: " + PrepTask.allCases.map(\.rawValue).joined(separator: ", ")
      + ". ListOps can also be generated: prep listops --generate N --out FILE.h5.")

  @Argument(help: "The task id.")
  var task: String

  @Option(help: "The raw download (folder, file or archive, depending on the task).")
  var raw: String?

  @Option(help: "The HDF5 file to write.")
  var out: String

  @Option(help: "Truncation limit including eos (token tasks).")
  var maxLength: Int?

  @Option(help: "Seed of validation carve-outs and stratified splits.")
  var splitSeed: Int64?

  @Option(help: "File of explicit validation indices, one per line.")
  var splitIndices: String?

  @Option(help: "sc10 split: mega or official.")
  var split: String = "mega"

  @Flag(help: "sc10: store audio_scale 2^-15 instead of 2^-30.")
  var unitScale = false

  @Option(help: "pathfinder/pathx difficulty folder.")
  var difficulty: String = "curv_contour_length_14"

  @Option(help: "enwik8: bytes held out for each of valid and test.")
  var holdoutBytes: Int = 5_000_000

  @Flag(help: "Shuffle + deflate the bulk arrays.")
  var compress = false

  @Option(help: "listops: generate N training examples instead of reading --raw.")
  var generate: Int?

  @Option(help: "listops --generate: lengths must exceed this.")
  var minLen: Int = 500

  @Option(help: "listops --generate: lengths must stay below this.")
  var maxLen: Int = 2000

  @Option(help: "listops --generate: random seed.")
  var seed: UInt64 = 0

  @Flag(help: "No progress output.")
  var quiet = false

  func validate() throws {
    guard PrepTask(rawValue: task) != nil else {
      throw ValidationError(
        "unknown task \"\(task)\"; expected one of "
          + PrepTask.allCases.map(\.rawValue).joined(separator: ", "))
    }
    if generate != nil {
      guard task == PrepTask.listops.rawValue else {
        throw ValidationError("--generate applies to listops only")
      }
    } else if raw == nil {
      throw ValidationError("--raw PATH is required")
    }
    guard ["mega", "official"].contains(split) else {
      throw ValidationError("--split must be mega or official, not \(split)")
    }
  }

  func run() throws {
    var options = PrepOptions(raw: raw ?? "", out: out)
    options.maxLength = maxLength
    options.splitSeed = splitSeed
    options.splitIndices = splitIndices
    options.splitMode = split
    options.unitScale = unitScale
    options.difficulty = difficulty
    options.holdoutBytes = holdoutBytes
    options.compress = compress
    let start = Date()
    let summary: PrepSummary
    if let generate {
      summary = try ListOpsGenerator.write(
        count: generate, minLength: minLen, maxLength: maxLen, seed: seed, options: options,
        progress: !quiet)
    } else {
      summary = try PrepTask(rawValue: task)!.convert(options, progress: !quiet)
    }
    print(summary)
    let seconds = Date().timeIntervalSince(start)
    if summary.rawBytes > 0 {
      let rate = Double(summary.rawBytes) / 1e6 / max(seconds, 1e-9)
      print(
        "converted \(summary.rawBytes) raw bytes in \(String(format: "%.2f", seconds)) s "
          + "(\(String(format: "%.1f", rate)) MB/s)")
    }
  }
}
