import Foundation

/// Writes a note line to stderr.
func note(_ text: String) {
  FileHandle.standardError.write(Data((text + "\n").utf8))
}
