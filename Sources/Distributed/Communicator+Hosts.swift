/// Where the ranks run.
extension Communicator {
  /// The host name of every rank, by rank (gathered when the communicator was set up): ranks with
  /// the same name share a node.
  public var hostNames: [String] { watchdog.hosts }
}
