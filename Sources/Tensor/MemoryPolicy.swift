/// glibc's `mallopt` (declared in `malloc.h`, which the Glibc module does not export).
@_silgen_name("mallopt")
private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32

/// How the process's allocator treats freed memory.
public enum MemoryPolicy {
  /// Keeps freed blocks of up to 32 MB in the heap instead of returning them to the system, so
  /// that the same-sized activations of the next step reuse pages already mapped (no page faults
  /// and kernel zero-fills of fresh pages on every step).
  public static func reuseFreedMemory() {
    let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
    let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
    _ = mallopt(mmapThreshold, 32 << 20)
    _ = mallopt(trimThreshold, Int32.max)
  }

  /// As `reuseFreedMemory`, and blocks of any size come from the heap too (no `mmap`), so that
  /// arrays beyond 32 MB (long evaluation segments) also reuse mapped pages.
  public static func reuseAllFreedMemory() {
    reuseFreedMemory()
    let mmapMax: Int32 = -4  // M_MMAP_MAX
    _ = mallopt(mmapMax, 0)
  }
}
