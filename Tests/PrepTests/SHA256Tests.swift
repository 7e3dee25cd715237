import Data
import Prep
import XCTest

final class SHA256Tests: XCTestCase {
  /// The digests a converter stores for the files it read, against Python's hashlib.
  func testSourceDigestsOfTSVFiles() throws {
    let dir = try TemporaryDirectory()
    let header = "Source\tTarget\n"
    let row = "( ( ( [MAX 2 ) 9 ) ] )\t9\n"
    try dir.write("lo/basic_train.tsv", text: header + String(repeating: row, count: 100))
    try dir.write("lo/basic_val.tsv", text: header + row)
    try dir.write("lo/basic_test.tsv", text: header + row)
    let options = PrepOptions(raw: dir.path("lo"), out: dir.path("l.h5"))
    _ = try PrepTask.listops.convert(options, progress: false)
    let digest = try DatasetFile.open(dir.path("l.h5")).root.stringAttribute("source_sha256")
    let long = "9579e45dbfe3bc7235c50411279e368fafa9511f656e68de71f5a0e43c07449f"
    let short = "03dc751da19d596f11c61ec25cd4c762da524e6f2cf39acc7fe21aa23cd7841f"
    XCTAssertEqual(
      digest, "basic_train.tsv=\(long);basic_val.tsv=\(short);basic_test.tsv=\(short)")
  }
}
