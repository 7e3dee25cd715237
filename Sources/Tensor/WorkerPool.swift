import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// The threads behind `Parallelism`: `threads − 1` workers that live for the process and the
/// calling thread, which always runs part 0 itself.
///
/// Written by hand because Dispatch's `concurrentPerform` wakes a sleeping worker for every call,
/// which on a virtual machine's idle CPU costs tens to hundreds of microseconds, as much as a
/// mid-sized kernel takes; a training step makes hundreds of such calls. Here a worker that has
/// just finished a part spins on the job counter for up to `spinNanoseconds` (as OpenMP's
/// default wait policy does) before it sleeps on a condition variable, so the kernels of one
/// step start within a microsecond of each other, and an idle rank (data loading, a collective,
/// the end of the run) uses no CPU.
@usableFromInline final class WorkerPool: @unchecked Sendable {
  /// Workers besides the calling thread.
  let workers: Int
  /// Bumped (release) once per job; workers run a part when it moves.
  private let generation = Atomic<Int>(0)
  /// Workers that have not yet finished with the current job (each acknowledges every job,
  /// whether or not it has a part in it, so that none reads a job's fields after the next one
  /// has started).
  private let pending = Atomic<Int>(0)
  /// Workers blocked on `wake` (they are woken only when some are).
  private let sleepers = Atomic<Int>(0)
  /// True while a job runs: a job started from inside another runs on the calling thread.
  private let busy = Atomic<Bool>(false)
  /// The current job and its part count; written only while no worker reads them.
  private var job: ((Int) -> Void)?
  private var parts = 0
  private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

  /// How long a worker waits for the next job before it sleeps.
  private static let spinNanoseconds: UInt64 = 200_000

  private init(workers: Int) {
    self.workers = workers
    pthread_mutex_init(lock, nil)
    pthread_cond_init(wake, nil)
    for w in 0..<workers {
      let start = Unmanaged.passRetained(WorkerStart(pool: self, part: w + 1)).toOpaque()
      var thread = pthread_t()
      let created = pthread_create(
        &thread, nil,
        { raw in
          let start = Unmanaged<WorkerStart>.fromOpaque(raw!).takeRetainedValue()
          start.pool.serve(part: start.part)
          return nil
        }, start)
      precondition(created == 0, "WorkerPool: pthread_create failed (\(created))")
      pthread_detach(thread)
    }
  }

  /// Runs `body(p)` for every part p in `0..<parts` (at most `workers + 1`), part 0 on the
  /// calling thread, and returns when all have finished. Called from inside a running job (a
  /// kernel's part calling another parallel kernel), it runs every part on the calling thread.
  @usableFromInline func run(parts: Int, _ body: (Int) -> Void) {
    precondition(parts <= workers + 1, "WorkerPool: \(parts) parts for \(workers + 1) threads")
    guard parts > 1,
      busy.compareExchange(expected: false, desired: true, ordering: .acquiring)
        .exchanged
    else {
      for p in 0..<parts { body(p) }
      return
    }
    withoutActuallyEscaping(body) { body in
      job = body
      self.parts = parts
      pending.store(workers, ordering: .relaxed)
      generation.add(1, ordering: .sequentiallyConsistent)
      if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
        pthread_mutex_lock(lock)
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(lock)
      }
      body(0)
      // Spin for the workers; yield the CPU once that takes long (more threads than cores).
      var spins = 0
      while pending.load(ordering: .acquiring) > 0 {
        spins += 1
        if spins > 4096 { sched_yield() }
      }
      job = nil
    }
    busy.store(false, ordering: .releasing)
  }

  /// A worker's life: wait for each new job and run its part of it, if the job has one.
  private func serve(part: Int) {
    var seen = 0
    while true {
      seen = waitForJob(after: seen)
      if part < parts { job?(part) }
      pending.subtract(1, ordering: .releasing)
    }
  }

  /// Spins until `generation` moves past `seen`, then sleeps; returns the new generation.
  private func waitForJob(after seen: Int) -> Int {
    let start = WorkerPool.now()
    var spins = 0
    while true {
      let current = generation.load(ordering: .acquiring)
      if current != seen { return current }
      spins += 1
      if spins & 1023 == 0, WorkerPool.now() - start > WorkerPool.spinNanoseconds { break }
    }
    pthread_mutex_lock(lock)
    sleepers.add(1, ordering: .sequentiallyConsistent)
    while generation.load(ordering: .sequentiallyConsistent) == seen {
      pthread_cond_wait(wake, lock)
    }
    sleepers.subtract(1, ordering: .sequentiallyConsistent)
    pthread_mutex_unlock(lock)
    return generation.load(ordering: .acquiring)
  }

  private static func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
  }

  /// The pool of `threads` threads (one per count for the whole process: its workers are never
  /// stopped, and a second `Parallelism` of the same count shares them).
  static func shared(threads: Int) -> WorkerPool {
    registry.withLock { pools in
      if let pool = pools[threads] { return pool }
      let pool = WorkerPool(workers: threads - 1)
      pools[threads] = pool
      return pool
    }
  }

  private static let registry = Mutex<[Int: WorkerPool]>([:])
}

/// What a new worker thread is started with.
private final class WorkerStart {
  let pool: WorkerPool
  let part: Int
  init(pool: WorkerPool, part: Int) { (self.pool, self.part) = (pool, part) }
}
