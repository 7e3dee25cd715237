import Fairseq
import Foundation
import HDF5
import TestSupport
import Training
import XCTest

/// Both public fixtures, in both torch formats, imported and run against the reference's
/// outputs; export followed by import gives the same checkpoint back.
final class FairseqImportTests: XCTestCase {
  private func importFixture(_ name: String, suffix: String, into folder: URL) throws -> String {
    let out = folder.appendingPathComponent("\(name)\(suffix).h5").path
    _ = try FairseqImport.run(
      input: FairseqFixtures.path("\(name)\(suffix)"),
      dictionary: FairseqFixtures.path("\(name).dict.txt"), member: nil, out: out)
    return out
  }

  /// Both formats, and the ListOps archive rewritten with ZIP64 local headers.
  func testBothFixturesInBothFormatsReproduceTheReferenceOutputs() throws {
    let folder = try FairseqFixtures.scratch(for: self)
    let formats = [
      "mega_lra_listops": [".pt", ".legacy.pt", ".zip64.pt"],
      "mega_lm_adaptive": [".pt", ".legacy.pt"],
    ]
    for name in FairseqFixtures.names {
      for suffix in formats[name] ?? [] {
        let checkpoint = try importFixture(name, suffix: suffix, into: folder)
        let results = try FairseqFixtureCheck.run(
          checkpoint: checkpoint, fixture: FairseqFixtures.path("\(name).expected.h5"))
        let expected = name == "mega_lm_adaptive" ? 8 : 4
        XCTAssertEqual(results.count, expected, "\(name)\(suffix)")
        for r in results {
          XCTAssertTrue(r.passed, "\(name)\(suffix) \(r.line(caseName: name))")
          XCTAssertLessThan(r.error, 1e-5, "\(name)\(suffix) \(r.path)")
        }
      }
    }
  }

  func testImportCarriesCountersMomentsAndTheTokenMap() throws {
    let folder = try FairseqFixtures.scratch(for: self)
    let lra = try importFixture("mega_lra_listops", suffix: ".pt", into: folder)
    let ck = try Checkpoint.read(lra)
    XCTAssertEqual(ck.numUpdates, 2)
    XCTAssertEqual(ck.epoch, 3)
    XCTAssertEqual(ck.bestMetric, 12.5)
    XCTAssertEqual(ck.moments.count, 44)
    XCTAssertTrue(ck.moments.values.allSatisfy { $0.step == 2 })
    XCTAssertEqual(ck.options.adamBetas, "(0.9, 0.98)")
    XCTAssertEqual(ck.options.lr, 0.001)
    XCTAssertEqual(ck.modelArgs["encoder-layers"], "2")
    XCTAssertEqual(ck.modelArgs["chunk-size"], "8")
    // 15 symbols + 4 specials pad to 24 in seqboat's vocabulary; <CLS> moves from 19 to 24.
    XCTAssertEqual(ck.modelArgs["vocab-size"], "25")
    let ids = try XCTUnwrap(try FairseqCheckpointFile.tokenIDs(lra))
    XCTAssertEqual(ids, Array(0..<19) + [24])
    let lm = try Checkpoint.read(
      try importFixture("mega_lm_adaptive", suffix: ".legacy.pt", into: folder))
    XCTAssertEqual(lm.moments.count, 53)
    XCTAssertEqual(lm.modelArgs["adaptive-cutoffs"], "12,30")
    XCTAssertEqual(lm.modelArgs["adaptive-softmax-dropout"], "0.2")
    XCTAssertEqual(lm.bestMetric, 9.051)
  }

  func testExportThenImportIsTheIdentity() throws {
    let folder = try FairseqFixtures.scratch(for: self)
    for name in FairseqFixtures.names {
      let first = try importFixture(name, suffix: ".pt", into: folder)
      let exported = folder.appendingPathComponent("\(name).export.pt").path
      try FairseqExport.run(checkpoint: first, out: exported)
      let second = folder.appendingPathComponent("\(name).again.h5").path
      _ = try FairseqImport.run(
        input: exported, dictionary: FairseqFixtures.path("\(name).dict.txt"), member: nil,
        out: second)
      let (a, b) = (try Checkpoint.read(first), try Checkpoint.read(second))
      XCTAssertEqual(a.modelArgs, b.modelArgs, name)
      XCTAssertEqual(Set(a.tensors.keys), Set(b.tensors.keys), name)
      for (key, t) in a.tensors {
        XCTAssertEqual(t.shape, b.tensors[key]?.shape, "\(name) \(key)")
        XCTAssertEqual(t.data, b.tensors[key]?.data, "\(name) \(key)")
      }
      XCTAssertEqual(a.moments, b.moments, name)
      XCTAssertEqual(
        [a.numUpdates, a.epoch, a.batchInEpoch], [b.numUpdates, b.epoch, b.batchInEpoch], name)
      XCTAssertEqual(a.bestMetric, b.bestMetric, name)
      XCTAssertEqual(
        try FairseqCheckpointFile.tokenIDs(first), try FairseqCheckpointFile.tokenIDs(second))
    }
  }

  func testCommandLineImportAndVerifyOfAReleaseZip() throws {
    let folder = try FairseqFixtures.scratch(for: self)
    let release = folder.appendingPathComponent("release.zip")
    try FairseqFixtures.zip(
      [
        ("mega_lm/model.pt", FairseqFixtures.path("mega_lm_adaptive.pt")),
        ("mega_lm/dict.txt", FairseqFixtures.path("mega_lm_adaptive.dict.txt")),
      ], to: release)
    let out = folder.appendingPathComponent("lm.h5").path
    let job = try SeqboatJob.run(ranks: nil, ["import-fairseq", release.path, "--out", out])
    XCTAssertEqual(job.exitCode, 0, job.output)
    let verify = try SeqboatJob.run(
      ranks: nil,
      ["verify-golden", "--checkpoint", out, FairseqFixtures.path("mega_lm_adaptive.expected.h5")])
    XCTAssertEqual(verify.exitCode, 0, verify.output)
    XCTAssertEqual(verify.lines(containing: " ok").count, 9, verify.output)
    XCTAssertEqual(verify.lines(containing: "1 passed, 0 failed").count, 1, verify.output)
  }

  func testReleaseZipWithSeveralCheckpointsNeedsMember() throws {
    let folder = try FairseqFixtures.scratch(for: self)
    let release = folder.appendingPathComponent("release.zip")
    try FairseqFixtures.zip(
      [
        ("a/checkpoint_best.pt", FairseqFixtures.path("mega_lra_listops.pt")),
        ("a/checkpoint_last.pt", FairseqFixtures.path("mega_lra_listops.legacy.pt")),
        ("a/dict.txt", FairseqFixtures.path("mega_lra_listops.dict.txt")),
      ], to: release)
    let out = folder.appendingPathComponent("lra.h5").path
    let refused = try SeqboatJob.run(ranks: nil, ["import-fairseq", release.path, "--out", out])
    XCTAssertNotEqual(refused.exitCode, 0)
    XCTAssertEqual(refused.lines(containing: "--member").count, 1, refused.output)
    XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    let chosen = try SeqboatJob.run(
      ranks: nil,
      ["import-fairseq", release.path, "--member", "a/checkpoint_last.pt", "--out", out])
    XCTAssertEqual(chosen.exitCode, 0, chosen.output)
    let results = try FairseqFixtureCheck.run(
      checkpoint: out, fixture: FairseqFixtures.path("mega_lra_listops.expected.h5"))
    XCTAssertTrue(results.allSatisfy(\.passed))
  }
}
