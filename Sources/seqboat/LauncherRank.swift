import Foundation

/// This process's rank as its launcher (mpirun, srun) announces it in the environment, known
/// before MPI starts; used to print a start-up error once per job rather than once per rank.
enum LauncherRank {
  /// True unless a launcher variable names a rank other than 0.
  static var isFirst: Bool {
    let env = ProcessInfo.processInfo.environment
    let names = ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"]
    return names.compactMap { env[$0] }.allSatisfy { $0 == "0" }
  }

  /// The job's number of ranks as the launcher announces it (1 when none does).
  static var worldSize: Int {
    let env = ProcessInfo.processInfo.environment
    let names = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"]
    return names.lazy.compactMap { env[$0].flatMap(Int.init) }.first { $0 > 0 } ?? 1
  }
}
