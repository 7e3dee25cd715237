import Foundation

/// Damages a file where it stores given values: flips one bit inside the first occurrence of
/// `values`' bytes (native float32, as HDF5 stores uncompressed data); false when absent.
public func flipBit(inStored values: [Float], of path: String) throws -> Bool {
  let url = URL(fileURLWithPath: path)
  var bytes = [UInt8](try Data(contentsOf: url))
  let pattern = values.withUnsafeBytes { [UInt8]($0) }
  guard !pattern.isEmpty, bytes.count >= pattern.count else { return false }
  guard
    let start = (0...(bytes.count - pattern.count)).first(where: {
      bytes[$0] == pattern[0] && bytes[$0..<($0 + pattern.count)].elementsEqual(pattern)
    })
  else { return false }
  bytes[start + pattern.count / 2] ^= 0x04
  try Data(bytes).write(to: url)
  return true
}
