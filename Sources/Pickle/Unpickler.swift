/// What an allowed global may become in an `Unpickler`.
public enum PickleGlobalRole: Sendable {
  /// Called with no arguments, it is an empty dict (`collections OrderedDict`).
  case dictionary
  /// A call is recorded as a `PickleObject` (`argparse Namespace`, torch's rebuild functions).
  case object
  /// A name only (a storage class inside a persistent id); calling it is an error.
  case name
}

/// A failure of the unpickler: the byte offset and the reason.
public struct PickleError: Error, CustomStringConvertible, Sendable {
  /// Offset of the opcode in the pickle.
  public let offset: Int
  /// What went wrong.
  public let reason: String

  public var description: String { "pickle byte \(offset): \(reason)" }
}

/// A stack machine for the pickle opcodes of protocols 2 to 4 that torch and fairseq write. It
/// builds plain values and never imports or calls anything: a global outside `allowed` is an
/// error naming it, and a call of an allowed one is only recorded.
public struct Unpickler {
  private let bytes: [UInt8]
  private let allowed: [String: PickleGlobalRole]
  private var position: Int
  private var stack: [PickleValue] = []
  private var marks: [Int] = []
  private var memo: [Int: PickleValue] = [:]

  /// Reads the pickle at `start` of `bytes`; returns the value and the offset after STOP.
  public static func load(
    _ bytes: [UInt8], from start: Int = 0, allowed: [String: PickleGlobalRole]
  ) throws -> (value: PickleValue, end: Int) {
    var machine = Unpickler(bytes: bytes, allowed: allowed, position: start)
    let value = try machine.run()
    return (value, machine.position)
  }

  private init(bytes: [UInt8], allowed: [String: PickleGlobalRole], position: Int) {
    self.bytes = bytes
    self.allowed = allowed
    self.position = position
  }

  private func fail(_ reason: String, at offset: Int) -> PickleError {
    PickleError(offset: offset, reason: reason)
  }

  private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
    guard count >= 0, count <= bytes.count - position else {
      throw fail("truncated (\(count) bytes needed, \(bytes.count - position) left)", at: position)
    }
    defer { position += count }
    return bytes[position..<(position + count)]
  }

  private mutating func unsigned(_ count: Int) throws -> Int {
    try take(count).reversed().reduce(0) { $0 << 8 | Int($1) }
  }

  private mutating func text(_ count: Int) throws -> String {
    String(decoding: try take(count), as: UTF8.self)
  }

  private mutating func line() throws -> String {
    guard let end = bytes[position...].firstIndex(of: 10) else {
      throw fail("truncated (no end of line)", at: position)
    }
    defer { position = end + 1 }
    return String(decoding: bytes[position..<end], as: UTF8.self)
  }

  private mutating func pop(_ offset: Int) throws -> PickleValue {
    guard let value = stack.popLast() else { throw fail("stack underflow", at: offset) }
    return value
  }

  private mutating func popMark(_ offset: Int) throws -> [PickleValue] {
    guard let mark = marks.popLast(), mark <= stack.count else {
      throw fail("no MARK", at: offset)
    }
    defer { stack.removeSubrange(mark...) }
    return Array(stack[mark...])
  }

  private mutating func push(global: String, _ offset: Int) throws {
    guard allowed[global] != nil else {
      throw fail("global '\(global)' is not allowed", at: offset)
    }
    stack.append(.global(global))
  }

  private mutating func call(_ callable: PickleValue, _ arguments: PickleValue, _ offset: Int)
    throws
  {
    guard case .global(let name) = callable, let role = allowed[name] else {
      throw fail("call of something that is not an allowed global", at: offset)
    }
    guard let args = arguments.items else {
      throw fail("call arguments are not a tuple", at: offset)
    }
    switch role {
    case .dictionary where args.isEmpty: stack.append(.dict(PickleDict()))
    case .dictionary: throw fail("'\(name)' called with arguments", at: offset)
    case .object: stack.append(.object(PickleObject(callable: name, arguments: args)))
    case .name: throw fail("'\(name)' cannot be called", at: offset)
    }
  }

  private mutating func run() throws -> PickleValue {
    while true {
      let offset = position
      let opcode = try take(1).first!
      switch opcode {
      case 0x80: _ = try take(1)  // PROTO
      case 0x95: _ = try take(8)  // FRAME
      case 0x2E: return try pop(offset)  // STOP
      case 0x28: marks.append(stack.count)  // MARK
      case 0x30: _ = try pop(offset)  // POP
      case 0x31: _ = try popMark(offset)  // POP_MARK
      case 0x32:  // DUP
        guard let top = stack.last else { throw fail("stack underflow", at: offset) }
        stack.append(top)
      case 0x7D: stack.append(.dict(PickleDict()))  // EMPTY_DICT
      case 0x5D: stack.append(.list(PickleList()))  // EMPTY_LIST
      case 0x29: stack.append(.tuple([]))  // EMPTY_TUPLE
      case 0x74: stack.append(.tuple(try popMark(offset)))  // TUPLE
      case 0x6C: stack.append(.list(PickleList(try popMark(offset))))  // LIST
      case 0x85, 0x86, 0x87:  // TUPLE1..3
        let count = Int(opcode) - 0x84
        guard stack.count >= count else { throw fail("stack underflow", at: offset) }
        let items = Array(stack.suffix(count))
        stack.removeLast(count)
        stack.append(.tuple(items))
      case 0x58: stack.append(.string(try text(try unsigned(4))))  // BINUNICODE
      case 0x8C: stack.append(.string(try text(try unsigned(1))))  // SHORT_BINUNICODE
      case 0x8D: stack.append(.string(try text(try unsigned(8))))  // BINUNICODE8
      case 0x55, 0x43:  // SHORT_BINSTRING (Python 2 str), SHORT_BINBYTES
        stack.append(.bytes(Array(try take(try unsigned(1)))))
      case 0x54, 0x42:  // BINSTRING, BINBYTES
        stack.append(.bytes(Array(try take(try unsigned(4)))))
      case 0x4A: stack.append(.int(Int(Int32(truncatingIfNeeded: try unsigned(4)))))  // BININT
      case 0x4B: stack.append(.int(try unsigned(1)))  // BININT1
      case 0x4D: stack.append(.int(try unsigned(2)))  // BININT2
      case 0x8A: stack.append(try long(try unsigned(1)))  // LONG1
      case 0x8B: stack.append(try long(try unsigned(4)))  // LONG4
      case 0x47:  // BINFLOAT (big-endian)
        let raw = try take(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        stack.append(.float(Double(bitPattern: raw)))
      case 0x4E: stack.append(.none)  // NONE
      case 0x88: stack.append(.bool(true))  // NEWTRUE
      case 0x89: stack.append(.bool(false))  // NEWFALSE
      case 0x63: try push(global: "\(try line()) \(try line())", offset)  // GLOBAL
      case 0x93:  // STACK_GLOBAL
        let name = try pop(offset)
        let module = try pop(offset)
        guard let m = module.string, let n = name.string else {
          throw fail("STACK_GLOBAL of non-strings", at: offset)
        }
        try push(global: "\(m) \(n)", offset)
      case 0x52, 0x81:  // REDUCE, NEWOBJ
        let arguments = try pop(offset)
        try call(try pop(offset), arguments, offset)
      case 0x51: stack.append(.persistent(try pop(offset)))  // BINPERSID
      case 0x62:  // BUILD
        let state = try pop(offset)
        guard case .object(let object) = stack.last ?? .none else {
          throw fail("BUILD on something that is not an object", at: offset)
        }
        object.state = state
      case 0x73:  // SETITEM
        let value = try pop(offset)
        let key = try pop(offset)
        try setItems([key, value], offset)
      case 0x75: try setItems(try popMark(offset), offset)  // SETITEMS
      case 0x61: try append([try pop(offset)], offset)  // APPEND
      case 0x65: try append(try popMark(offset), offset)  // APPENDS
      case 0x71: try put(try unsigned(1), offset)  // BINPUT
      case 0x72: try put(try unsigned(4), offset)  // LONG_BINPUT
      case 0x94: try put(memo.count, offset)  // MEMOIZE
      case 0x68, 0x6A:  // BINGET, LONG_BINGET
        let key = try unsigned(opcode == 0x68 ? 1 : 4)
        guard let value = memo[key] else { throw fail("memo \(key) not set", at: offset) }
        stack.append(value)
      default:
        throw fail(
          "unsupported pickle opcode 0x\(String(opcode, radix: 16, uppercase: true))",
          at: offset)
      }
    }
  }

  /// A LONG1/LONG4 integer of `count` little-endian two's-complement bytes.
  private mutating func long(_ count: Int) throws -> PickleValue {
    let raw = Array(try take(count))
    guard count <= 8 else { return .bigInt(raw) }
    let magnitude = raw.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    guard count > 0 else { return .int(0) }
    let shift = UInt64(64 - count * 8)
    return .int(Int(Int64(bitPattern: magnitude << shift) >> Int64(shift)))
  }

  private mutating func put(_ key: Int, _ offset: Int) throws {
    guard let top = stack.last else { throw fail("memo of an empty stack", at: offset) }
    memo[key] = top
  }

  private mutating func setItems(_ items: [PickleValue], _ offset: Int) throws {
    guard case .dict(let dict) = stack.last ?? .none, items.count % 2 == 0 else {
      throw fail("SETITEM(S) without a dict", at: offset)
    }
    for pair in stride(from: 0, to: items.count, by: 2) { dict.set(items[pair], items[pair + 1]) }
  }

  private mutating func append(_ items: [PickleValue], _ offset: Int) throws {
    guard case .list(let list) = stack.last ?? .none else {
      throw fail("APPEND(S) without a list", at: offset)
    }
    list.items += items
  }
}
