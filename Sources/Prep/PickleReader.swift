import Data

/// A value built by the pickle reader. Lists, dicts and reduced objects are references, as in
/// Python, so later APPENDS/SETITEMS/BUILD reach every copy of them.
indirect enum PickleValue {
  case none
  case bool(Bool)
  case int(Int)
  /// A Python 2 `str`, Python 3 `bytes`, or unicode text, as its bytes.
  case bytes([UInt8])
  case tuple([PickleValue])
  case list(PickleList)
  case dict(PickleDict)
  /// A `module.name` global.
  case global(String, String)
  /// The result of calling a global (REDUCE), with the state given by BUILD.
  case object(PickleObject)

  /// The text of a string value.
  var text: String? {
    if case .bytes(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
    return nil
  }
}

/// A mutable Python list.
final class PickleList {
  var items: [PickleValue] = []
}

/// A mutable Python dict with string keys (other keys are kept by their text, if any).
final class PickleDict {
  var items: [String: PickleValue] = [:]
}

/// A reduced object: `callable(*arguments)`, then `__setstate__(state)`.
final class PickleObject {
  let callable: PickleValue
  let arguments: PickleValue
  var state: PickleValue = .none

  init(callable: PickleValue, arguments: PickleValue) {
    self.callable = callable
    self.arguments = arguments
  }
}

/// A stack machine for pickle protocols 1–2 (and the FRAME/MEMOIZE of later ones), enough for
/// the CIFAR-10 Python batches (DATASETS.md 3.4); any other opcode is an error naming the file,
/// the opcode and its offset.
struct PickleReader {
  private let bytes: [UInt8]
  private let file: String
  private var position = 0
  private var stack: [PickleValue] = []
  private var marks: [Int] = []
  private var memo: [Int: PickleValue] = [:]

  /// A reader of the pickle `bytes` from `file`.
  init(_ bytes: [UInt8], file: String) {
    self.bytes = bytes
    self.file = file
  }

  /// Runs the machine to STOP and returns the top of the stack.
  static func load(_ bytes: [UInt8], file: String) throws -> PickleValue {
    var reader = PickleReader(bytes, file: file)
    return try reader.run()
  }

  private func fail(_ reason: String, at offset: Int) -> DataError {
    DataError(file: file, field: "byte \(offset)", reason)
  }

  private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
    guard count >= 0, position + count <= bytes.count else {
      throw fail("pickle truncated", at: position)
    }
    defer { position += count }
    return bytes[position..<(position + count)]
  }

  private mutating func unsigned(_ count: Int) throws -> Int {
    try take(count).reversed().reduce(0) { $0 << 8 | Int($1) }
  }

  private mutating func line() throws -> String {
    guard let end = bytes[position...].firstIndex(of: 10) else {
      throw fail("pickle truncated", at: position)
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

  private mutating func run() throws -> PickleValue {
    while true {
      let offset = position
      let opcode = try take(1).first!
      switch opcode {
      case 0x80: _ = try take(1)  // PROTO
      case 0x95: _ = try take(8)  // FRAME
      case 0x2E: return try pop(offset)  // STOP
      case 0x28: marks.append(stack.count)  // MARK
      case 0x7D: stack.append(.dict(PickleDict()))  // EMPTY_DICT
      case 0x5D: stack.append(.list(PickleList()))  // EMPTY_LIST
      case 0x29: stack.append(.tuple([]))  // EMPTY_TUPLE
      case 0x74: stack.append(.tuple(try popMark(offset)))  // TUPLE
      case 0x85, 0x86, 0x87:  // TUPLE1..3
        let count = Int(opcode) - 0x84
        guard stack.count >= count else { throw fail("stack underflow", at: offset) }
        let items = Array(stack.suffix(count))
        stack.removeLast(count)
        stack.append(.tuple(items))
      case 0x55, 0x43, 0x8C:  // SHORT_BINSTRING, SHORT_BINBYTES, SHORT_BINUNICODE
        stack.append(.bytes(Array(try take(try unsigned(1)))))
      case 0x54, 0x42, 0x58:  // BINSTRING, BINBYTES, BINUNICODE
        stack.append(.bytes(Array(try take(try unsigned(4)))))
      case 0x4A:  // BININT
        stack.append(.int(Int(Int32(truncatingIfNeeded: try unsigned(4)))))
      case 0x4B: stack.append(.int(try unsigned(1)))  // BININT1
      case 0x4D: stack.append(.int(try unsigned(2)))  // BININT2
      case 0x8A:  // LONG1
        let count = try unsigned(1)
        guard count <= 8 else { throw fail("LONG1 of \(count) bytes is too large", at: offset) }
        let magnitude = try unsigned(count)
        let negative = count > 0 && magnitude >> (count * 8 - 1) & 1 == 1
        stack.append(.int(negative && count < 8 ? magnitude - (1 << (count * 8)) : magnitude))
      case 0x4E: stack.append(.none)  // NONE
      case 0x88: stack.append(.bool(true))  // NEWTRUE
      case 0x89: stack.append(.bool(false))  // NEWFALSE
      case 0x63:  // GLOBAL
        let module = try line()
        stack.append(.global(module, try line()))
      case 0x52:  // REDUCE
        let arguments = try pop(offset)
        let callable = try pop(offset)
        stack.append(.object(PickleObject(callable: callable, arguments: arguments)))
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
      case 0x71: memo[try unsigned(1)] = stack.last  // BINPUT
      case 0x72: memo[try unsigned(4)] = stack.last  // LONG_BINPUT
      case 0x94: memo[memo.count] = stack.last  // MEMOIZE
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

  private mutating func setItems(_ items: [PickleValue], _ offset: Int) throws {
    guard case .dict(let dict) = stack.last ?? .none, items.count % 2 == 0 else {
      throw fail("SETITEM(S) without a dict", at: offset)
    }
    for pair in stride(from: 0, to: items.count, by: 2) {
      guard let key = items[pair].text else { throw fail("dict key is not a string", at: offset) }
      dict.items[key] = items[pair + 1]
    }
  }

  private mutating func append(_ items: [PickleValue], _ offset: Int) throws {
    guard case .list(let list) = stack.last ?? .none else {
      throw fail("APPEND(S) without a list", at: offset)
    }
    list.items += items
  }
}
