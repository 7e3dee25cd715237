/// Parses betas as written on fairseq's command line and in its configs: `"(0.9, 0.98)"`; brackets
/// and spaces are optional (`"0.9,0.98"`, `"[0.9, 0.98]"`). Each beta must lie in [0, 1).
public func parseAdamBetas(_ text: String) throws -> (Double, Double) {
  var body = Substring(text).drop { $0 == " " }
  while body.last == " " { body = body.dropLast() }
  if let f = body.first, let l = body.last, (f == "(" && l == ")") || (f == "[" && l == "]") {
    body = body.dropFirst().dropLast()
  }
  let parts = body.split(separator: ",", omittingEmptySubsequences: false).map {
    String($0.filter { $0 != " " })
  }
  guard parts.count == 2, let b1 = Double(parts[0]), let b2 = Double(parts[1]),
    (0..<1).contains(b1), (0..<1).contains(b2)
  else { throw OptimError.betas(text) }
  return (b1, b2)
}
