import Data
import Random

/// Our implementation of the public ListOps generator (DATASETS.md 3.1): random trees of depth
/// ≤ 10 whose nodes below the maximum depth are operators with probability 0.25 taking 2..10
/// arguments, kept when operators + digits + `]` lies strictly between the bounds, distinct.
public struct ListOpsGenerator {
  /// A generated expression: its tokens (no parentheses, no eos) and its value.
  public struct Example: Hashable, Sendable {
    /// Symbols such as `[MAX`, `2`, `]`.
    public let tokens: [String]
    /// The value 0..9.
    public let value: Int
  }

  /// The four operators.
  static let operators = ["[MIN", "[MAX", "[MED", "[SM"]
  /// Maximum tree depth.
  static let maxDepth = 10
  /// Maximum arguments of an operator.
  static let maxArguments = 10
  /// Probability that a node above the maximum depth is an operator.
  static let operatorProbability = 0.25

  private var rng: SplitMix64

  /// A generator seeded with `seed`.
  public init(seed: UInt64) {
    rng = EpochOrder.generator(seed: seed, purpose: .listOpsGenerator)
  }

  /// `count` distinct expressions whose length lies strictly between `minLength` and
  /// `maxLength`; `progress` advances by one per expression kept.
  public mutating func generate(
    count: Int, minLength: Int, maxLength: Int, progress: ProgressMeter? = nil
  ) throws -> [Example] {
    guard minLength + 1 < maxLength else {
      throw DataError("--min-len \(minLength) and --max-len \(maxLength) leave no length between")
    }
    var seen: Set<[String]> = []
    var examples: [Example] = []
    var attempts = 0
    while examples.count < count {
      attempts += 1
      if attempts > 1000 * (count + 1000) {
        throw DataError(
          "no \(count) distinct expressions of length in (\(minLength), \(maxLength)) found")
      }
      var tokens: [String] = []
      let value = node(depth: 1, into: &tokens)
      guard tokens.count > minLength, tokens.count < maxLength, seen.insert(tokens).inserted
      else { continue }
      examples.append(Example(tokens: tokens, value: value))
      progress?.advance()
    }
    return examples
  }

  /// Appends one random subtree's tokens and returns its value.
  private mutating func node(depth: Int, into tokens: inout [String]) -> Int {
    let draw = depth < Self.maxDepth ? rng.uniform() : 1
    guard draw <= Self.operatorProbability else {
      let digit = EpochOrder.uniform(10, using: &rng)
      tokens.append("\(digit)")
      return digit
    }
    let arguments = 2 + EpochOrder.uniform(Self.maxArguments - 1, using: &rng)
    let opIndex = tokens.count
    tokens.append("")
    var values: [Int] = []
    for _ in 0..<arguments { values.append(node(depth: depth + 1, into: &tokens)) }
    let op = Self.operators[EpochOrder.uniform(Self.operators.count, using: &rng)]
    tokens[opIndex] = op
    tokens.append("]")
    return Self.apply(op, values)
  }

  /// The value of operator `op` over `values`.
  static func apply(_ op: String, _ values: [Int]) -> Int {
    switch op {
    case "[MIN": return values.min()!
    case "[MAX": return values.max()!
    case "[MED":
      let sorted = values.sorted()
      let middle = sorted.count / 2
      return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    default: return values.reduce(0, +) % 10
    }
  }

  /// The expression in the LRA TSV form: each application a left-nested chain of pairs.
  public static func sourceText(_ tokens: [String]) -> String {
    var position = 0
    return render(tokens, &position)
  }

  private static func render(_ tokens: [String], _ position: inout Int) -> String {
    let token = tokens[position]
    position += 1
    guard token.hasPrefix("[") else { return token }
    var text = "( " + token
    var first = true
    while tokens[position] != "]" {
      let argument = render(tokens, &position)
      text = first ? text + " " + argument + " )" : "( " + text + " " + argument + " )"
      first = false
    }
    position += 1
    return "( " + text + " ] )"
  }

  /// Writes `count` train and ⌈count/48⌉ valid and test examples as a ListOps dataset file;
  /// progress of the generation on stderr when `progress`.
  public static func write(
    count: Int, minLength: Int, maxLength: Int, seed: UInt64, options: PrepOptions,
    progress: Bool = false
  ) throws -> PrepSummary {
    guard count > 0 else { throw DataError("--generate \(count) must be > 0") }
    let heldOut = (count + 47) / 48
    var generator = ListOpsGenerator(seed: seed)
    let meter = ProgressMeter(
      "listops --generate", total: count + 2 * heldOut, unit: "examples", enabled: progress)
    let examples = try generator.generate(
      count: count + 2 * heldOut, minLength: minLength, maxLength: maxLength, progress: meter)
    meter.finish()
    var counter = SymbolCounter()
    let bounds = [0..<count, count..<(count + heldOut), (count + heldOut)..<examples.count]
    let limit = options.maxLength ?? maxLength
    var splits: [TokenSplit] = []
    for (index, range) in bounds.enumerated() {
      var split = TokenSplit()
      for (row, example) in examples[range].enumerated() {
        let ids = example.tokens.map { counter.id(Array($0.utf8)[...], train: index == 0) }
        split.append(ids, maxLength: limit, eos: TokenSplit.provisionalEOS)
        split.finishExample(label: Int32(example.value), source: row)
      }
      splits.append(split)
    }
    var generated = options
    generated.splitSeed = Int64(bitPattern: seed)
    return try ListOpsWriter.write(
      generated, splits: splits, counter: counter, maxLength: limit,
      description:
        "generated by seqboat: \(count) train, \(heldOut) valid, \(heldOut) test, "
        + "length in (\(minLength), \(maxLength)), seed \(seed)",
      digests: "", rawBytes: 0)
  }
}
