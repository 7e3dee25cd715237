/// How the flattened parameters (every parameter's values back to back, in parameter order) are
/// cut into one contiguous slice per rank for sharded optimizer state (ZeRO stage 1): rank r owns
/// `count(r)` elements starting at `start(r)`, the first `total % ranks` ranks one more than the
/// others. Slices may begin or end inside a parameter; a rank's slice may be empty when there are
/// fewer elements than ranks.
public struct ShardLayout: Equatable {
  /// A range of one parameter's values that lies in a slice.
  public struct Piece: Equatable {
    /// The parameter's index (parameter order).
    public var parameter: Int
    /// First element of the range within the parameter.
    public var offset: Int
    /// Elements in the range.
    public var count: Int

    /// The range of `count` values from `offset` of parameter `parameter`.
    public init(parameter: Int, offset: Int, count: Int) {
      self.parameter = parameter
      self.offset = offset
      self.count = count
    }
  }

  /// Element count of every parameter, in parameter order.
  public let sizes: [Int]
  /// Number of slices (ranks).
  public let ranks: Int
  /// Elements of all parameters together.
  public let total: Int
  /// Flat index of each parameter's first element.
  let parameterStarts: [Int]

  /// The layout of parameters with element counts `sizes` over `ranks` slices (`ranks` ≥ 1).
  public init(sizes: [Int], ranks: Int) {
    self.sizes = sizes
    self.ranks = max(ranks, 1)
    var starts: [Int] = []
    var total = 0
    for n in sizes {
      starts.append(total)
      total += n
    }
    self.total = total
    parameterStarts = starts
  }

  /// Elements in the slice of `rank`.
  public func count(_ rank: Int) -> Int {
    total / ranks + (rank < total % ranks ? 1 : 0)
  }

  /// Flat index of the first element of the slice of `rank`.
  public func start(_ rank: Int) -> Int {
    rank * (total / ranks) + min(rank, total % ranks)
  }

  /// Element counts of every slice, by rank.
  public var counts: [Int] { (0..<ranks).map(count) }

  /// Flat start of every slice, by rank.
  public var starts: [Int] { (0..<ranks).map(start) }

  /// The parameter ranges that make up the slice of `rank`, in flat order (their counts add up to
  /// `count(rank)`).
  public func pieces(_ rank: Int) -> [Piece] {
    pieces(in: start(rank)..<start(rank) + count(rank))
  }

  /// The parameter ranges that make up the flat elements `range`, in flat order.
  public func pieces(in range: Range<Int>) -> [Piece] {
    var pieces: [Piece] = []
    for (p, first) in parameterStarts.enumerated() where first < range.upperBound {
      let from = max(first, range.lowerBound)
      let to = min(first + sizes[p], range.upperBound)
      if from < to { pieces.append(Piece(parameter: p, offset: from - first, count: to - from)) }
    }
    return pieces
  }
}
