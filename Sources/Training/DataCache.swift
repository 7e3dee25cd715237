import Distributed
import Foundation
import Glibc

/// `--data-cache DIR`: the data file is read from node-local scratch instead of the shared
/// filesystem. On each node (ranks with the same host name) the lowest rank copies the file into
/// DIR once, to a temporary name that is then renamed into place, and gives the copy the
/// original's modification time; the other ranks of the node wait until the copy is there. A copy
/// already in DIR with the original's size and modification time is used as it is.
public enum DataCache {
  /// The path every rank should read instead of `source`: `DIR/<file name>`, copied if needed.
  /// Collective over `communicator` (every rank calls it). Throws one line naming the file on
  /// failure (the copying rank aborts the job; the others are waiting for it).
  public static func localCopy(of source: String, in directory: String, communicator: Communicator)
    throws -> String
  {
    let original = try status(source, what: "data file")
    let target = directory + "/" + URL(fileURLWithPath: source).lastPathComponent
    let hosts = communicator.hostNames
    let copier = hosts.firstIndex(of: hosts[communicator.rank]) == communicator.rank
    if copier {
      if !matches(target, original) { try copy(source, to: target, original) }
    } else {
      while !matches(target, original) { usleep(50_000) }
    }
    return target
  }

  /// True when `path` exists with `original`'s size and modification time.
  private static func matches(_ path: String, _ original: stat) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && info.st_size == original.st_size
      && info.st_mtim.tv_sec == original.st_mtim.tv_sec
      && info.st_mtim.tv_nsec == original.st_mtim.tv_nsec
  }

  private static func status(_ path: String, what: String) throws -> stat {
    var info = stat()
    guard stat(path, &info) == 0 else {
      throw TrainingError("--data-cache: \(path): cannot stat the \(what): \(errorText())")
    }
    return info
  }

  /// Copies `source` to a temporary beside `target`, checks its size, sets the original's times
  /// and renames it into place.
  private static func copy(_ source: String, to target: String, _ original: stat) throws {
    let folder = URL(fileURLWithPath: target).deletingLastPathComponent().path
    do {
      try FileManager.default.createDirectory(
        atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw TrainingError("--data-cache: \(folder): cannot create the folder: \(error)")
    }
    var host = [CChar](repeating: 0, count: 256)
    _ = gethostname(&host, 255)
    let name = String(
      decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let temporary = "\(target).tmp-\(name)-\(getpid())"
    defer { unlink(temporary) }
    let input = open(source, O_RDONLY)
    guard input >= 0 else {
      throw TrainingError("--data-cache: \(source): cannot open: \(errorText())")
    }
    defer { close(input) }
    let output = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard output >= 0 else {
      throw TrainingError("--data-cache: \(temporary): cannot create: \(errorText())")
    }
    var buffer = [UInt8](repeating: 0, count: 1 << 22)
    var copied: Int64 = 0
    while true {
      let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
      if count == 0 { break }
      guard count > 0 else {
        close(output)
        throw TrainingError("--data-cache: \(source): read failed: \(errorText())")
      }
      var written = 0
      while written < count {
        let n = buffer.withUnsafeBytes { write(output, $0.baseAddress! + written, count - written) }
        guard n > 0 else {
          close(output)
          throw TrainingError("--data-cache: \(temporary): write failed: \(errorText())")
        }
        written += n
      }
      copied += Int64(count)
    }
    var times = [original.st_atim, original.st_mtim]
    let synced = fsync(output) == 0 && futimens(output, &times) == 0
    guard close(output) == 0, synced else {
      throw TrainingError("--data-cache: \(temporary): cannot finish the copy: \(errorText())")
    }
    guard copied == Int64(original.st_size), matches(temporary, original) else {
      throw TrainingError(
        "--data-cache: \(temporary): copied \(copied) bytes of \(source)'s \(original.st_size)")
    }
    guard rename(temporary, target) == 0 else {
      throw TrainingError("--data-cache: cannot rename \(temporary) to \(target): \(errorText())")
    }
  }

  private static func errorText() -> String { String(cString: strerror(errno)) }
}
