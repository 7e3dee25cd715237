import CArchive
import Data
import Foundation

/// The members of an archive file, streamed by libarchive: tar (ustar, pax, GNU; plain or
/// compressed with gzip, bzip2, xz or zstd) and zip. The file is read in blocks and decompressed
/// as it goes; only the member being handed to the caller is held in memory, so archives of many
/// GB take no more memory than their largest wanted member.
enum ArchiveReader {
  /// The size of the blocks read from the file.
  private static let blockSize = 1 << 20

  /// Calls `body(name, bytes)` for every regular member whose name `want` accepts, in archive
  /// order; `want` sees every regular member's name. Errors name `path` and the member.
  static func forEachMember(
    of path: String, want: (String) -> Bool, _ body: (String, [UInt8]) throws -> Void
  ) throws {
    guard let archive = archive_read_new() else {
      throw DataError(file: path, field: "archive", "cannot start libarchive")
    }
    defer { archive_read_free(archive) }
    archive_read_support_filter_all(archive)
    archive_read_support_format_tar(archive)
    archive_read_support_format_gnutar(archive)
    archive_read_support_format_zip(archive)
    let fail = { (where: String) in DataError(file: path, field: `where`, reason(archive)) }
    guard archive_read_open_filename(archive, path, blockSize) == ARCHIVE_OK else {
      throw fail("archive")
    }
    var previous: String?
    while true {
      var entry: OpaquePointer?
      let status = archive_read_next_header(archive, &entry)
      if status == ARCHIVE_EOF { return }
      guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
        throw fail(previous.map { "after member \($0)" } ?? "archive")
      }
      let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
      previous = name
      guard archive_entry_filetype(entry) == S_IFREG, want(name) else {
        guard archive_read_data_skip(archive) >= ARCHIVE_WARN else { throw fail(name) }
        continue
      }
      let expected = archive_entry_size_is_set(entry) != 0 ? Int(archive_entry_size(entry)) : 0
      try body(name, try contents(archive, expected: expected) { fail(name) })
    }
  }

  /// The data of the current member, read in blocks.
  private static func contents(
    _ archive: OpaquePointer, expected: Int, fail: () -> DataError
  ) throws -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(min(max(expected, 0), 1 << 30))
    var block = [UInt8](repeating: 0, count: blockSize)
    while true {
      let got = block.withUnsafeMutableBytes {
        archive_read_data(archive, $0.baseAddress, $0.count)
      }
      if got == 0 { return bytes }
      guard got > 0 else { throw fail() }
      bytes.append(contentsOf: block[0..<got])
    }
  }

  /// libarchive's last error message, on one line.
  private static func reason(_ archive: OpaquePointer) -> String {
    let text = archive_error_string(archive).map { String(cString: $0) } ?? "unreadable archive"
    return text.split(whereSeparator: \.isNewline).joined(separator: " ")
  }
}
