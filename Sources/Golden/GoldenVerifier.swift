/// `seqboat verify-golden`: checks golden files one by one and reports, through `emit`, one line per
/// compared tensor, one line per file, and the closing `N passed, M failed` (N, M count files).
public struct GoldenVerifier {
  /// Runner per kind (default: every supported kind).
  public var runners: [String: GoldenRunner]

  /// A verifier over `runners`.
  public init(runners: [String: GoldenRunner] = GoldenRegistry.runners) {
    self.runners = runners
  }

  /// Checks `path`; true when every tensor is within tolerance.
  public func verify(file path: String, emit: (String) -> Void) -> Bool {
    let file: GoldenFile
    do {
      file = try GoldenFile(path: path)
    } catch {
      emit("\(path): \(error)")
      return false
    }
    guard let runner = runners[file.kind] else {
      emit("\(file.caseName) unsupported: kind '\(file.kind)' (\(path))")
      return false
    }
    let results: [GoldenComparison]
    do {
      results = try runner(file)
    } catch let error as GoldenError {
      if case .unsupported = error {
        emit("\(file.caseName) \(error)")
      } else {
        emit("\(path): \(error)")
      }
      return false
    } catch {
      emit("\(path): \(error)")
      return false
    }
    for r in results { emit(r.line(caseName: file.caseName)) }
    let failed = results.filter { !$0.passed }.count
    if results.isEmpty {
      emit("\(file.caseName) FAIL (no tensor to compare)")
      return false
    }
    if failed == 0 {
      emit("\(file.caseName) ok (\(results.count) tensors)")
    } else {
      emit("\(file.caseName) FAIL (\(failed) of \(results.count) tensors outside tolerance)")
    }
    return failed == 0
  }

  /// Checks every file in order; returns the counts of passed and failed files, having emitted the
  /// closing line.
  public func verify(files paths: [String], emit: (String) -> Void) -> (passed: Int, failed: Int) {
    var passed = 0
    for path in paths where verify(file: path, emit: emit) { passed += 1 }
    let failed = paths.count - passed
    emit("\(passed) passed, \(failed) failed")
    return (passed, failed)
  }
}
