import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A failed event-file operation: the file or folder, what was being done to it, and the system's
/// error.
public struct EventFileError: Error, CustomStringConvertible {
  /// The file or folder.
  public let path: String
  /// What failed: "create" or "write".
  public let action: String
  /// The system's error (a `POSIXError`, or Foundation's error wrapping one).
  public let underlying: Error

  /// The failure to `action` `path`, with the system's error.
  public init(path: String, action: String, underlying: Error) {
    self.path = path
    self.action = action
    self.underlying = underlying
  }

  public var description: String {
    "\(path): cannot \(action): \(underlying.localizedDescription)"
  }
}

/// One TensorBoard event file, opened new in `directory`: a `brain.Event:2` version record, then
/// one record of scalar summaries per `write`. Each record goes to the file with one `write(2)`
/// (no buffering in the process), so a killed run leaves every record written so far readable.
/// An existing file is never opened: the name holds the time, host and process id as
/// TensorBoard's own writers do, plus a counter taken past any name already present.
public final class EventFileWriter {
  /// The file's path.
  public let path: String
  private let handle: FileHandle

  /// Creates `directory` (and its parents) when missing and a new event file in it.
  public init(directory: String, now: Date = Date()) throws {
    try Self.createDirectory(directory)
    let stem =
      "events.out.tfevents." + String(format: "%010d", Int(now.timeIntervalSince1970)) + "."
      + Self.hostName() + ".\(getpid())."
    var counter = 0
    while true {
      let candidate = directory + "/" + stem + "\(counter)"
      let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
      if fd >= 0 {
        path = candidate
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        break
      }
      let code = errno
      guard code == EEXIST else {
        throw EventFileError(
          path: candidate, action: "create",
          underlying: POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO))
      }
      counter += 1
    }
    var version = Tensorboard_Event()
    version.wallTime = now.timeIntervalSince1970
    version.fileVersion = "brain.Event:2"
    try write(version)
  }

  /// Appends one record of `scalars` (tag and value, in order) at `step`, stamped `wallTime`
  /// (seconds since the Unix epoch).
  public func write(scalars: [(tag: String, value: Float)], step: Int64, wallTime: Double) throws {
    var event = Tensorboard_Event()
    event.wallTime = wallTime
    event.step = step
    event.summary = Tensorboard_Summary.with { summary in
      summary.value = scalars.map { scalar in
        Tensorboard_Summary.Value.with {
          $0.tag = scalar.tag
          $0.simpleValue = scalar.value
        }
      }
    }
    try write(event)
  }

  private func write(_ event: Tensorboard_Event) throws {
    do {
      let bytes: Data = try event.serializedBytes()
      try handle.write(contentsOf: TFRecord.frame(bytes))
    } catch {
      throw EventFileError(path: path, action: "write", underlying: error)
    }
  }

  /// Creates folder `path` and its missing parents, as `mkdir -p` does; the error names `path`
  /// with the system's reason (Foundation's own error for this carries none on Linux).
  public static func createDirectory(_ path: String) throws {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for component in path.split(separator: "/") {
      prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
      if mkdir(prefix, 0o755) == 0 { continue }
      var code = errno
      var info = stat()
      if code == EEXIST {
        guard stat(prefix, &info) == 0 else { continue }
        if info.st_mode & 0o170000 == 0o040000 { continue }  // S_IFMT, S_IFDIR
        code = ENOTDIR
      }
      throw EventFileError(
        path: path, action: "create",
        underlying: POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO))
    }
  }

  /// This machine's name (`localhost` when the system gives none), with `/` (impossible in a file
  /// name) replaced.
  static func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
    let name = String(cString: buffer).replacingOccurrences(of: "/", with: "_")
    return name.isEmpty ? "localhost" : name
  }
}
