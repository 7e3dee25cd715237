import Foundation

/// A file's size in words for the checkpoint lines ("41.2 MB").
enum CheckpointSize {
  /// The size of the file at `path` in kB, MB or GB (decimal units), "size unknown" when it
  /// cannot be read.
  static func text(path: String) -> String {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
      let bytes = (attributes[.size] as? NSNumber)?.doubleValue
    else { return "size unknown" }
    if bytes >= 1e9 { return String(format: "%.1f GB", bytes / 1e9) }
    if bytes >= 1e6 { return String(format: "%.1f MB", bytes / 1e6) }
    return String(format: "%.1f kB", bytes / 1e3)
  }
}
