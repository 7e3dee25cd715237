/// glibc's `mallopt` (declared in `malloc.h`, which the Glibc module does not export).
@_silgen_name("mallopt")
private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32

/// How the process's allocator treats freed memory.
public enum MemoryPolicy {
  /// Keeps freed blocks in the heap instead of returning them to the system, and takes blocks of
  /// every size from the heap (no `mmap`), so that the same-sized activations of the next step
  /// reuse pages already mapped: no page faults and kernel zero-fills of fresh pages on every
  /// step. glibc's default maps blocks above 32 MB (an unchunked attention's weights) afresh at
  /// each allocation; on mega_listops that cost 4 % of a step in one process, and 6–13 % per rank
  /// with two ranks on two cores, whose page faults contend in the kernel.
  public static func reuseFreedMemory() {
    let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
    let mmapMax: Int32 = -4  // M_MMAP_MAX
    _ = mallopt(trimThreshold, Int32.max)
    _ = mallopt(mmapMax, 0)
  }
}
