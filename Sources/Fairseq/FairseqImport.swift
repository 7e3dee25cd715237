import Foundation

/// `seqboat import-fairseq`: a fairseq checkpoint (or release zip) to a seqboat checkpoint.
public enum FairseqImport {
  /// Imports `input` with the dictionary at `dictionary` (or the one in a release zip) and
  /// writes `out`; returns the notes of what was not carried. Errors are one line naming the
  /// file and the field.
  public static func run(input: String, dictionary: String?, member: String?, out: String) throws
    -> [String]
  {
    let source = try FairseqSource(path: input, member: member)
    var dict: FairseqDictionary?
    if let dictionary {
      guard let data = FileManager.default.contents(atPath: dictionary) else {
        throw TorchFileError("\(dictionary): cannot be read")
      }
      dict = try FairseqDictionary(text: String(decoding: data, as: UTF8.self), file: dictionary)
    } else if let found = source.dictionary {
      dict = try FairseqDictionary(text: found.text, file: "\(input): \(found.name)")
    }
    let imported: FairseqImporter
    do { imported = try FairseqImporter(source.checkpoint, dictionary: dict) } catch let error
      as TorchFileError
    {
      throw TorchFileError("\(input): \(error)")
    }
    try FairseqCheckpointFile.write(imported.checkpoint, tokenIDs: imported.tokenIDs, to: out)
    return imported.notes
  }
}
