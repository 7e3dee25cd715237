import Foundation
import XCTest

@testable import Training

/// fairseq's meters over a span of updates: every figure an average over the span.
final class TrainMetersTests: XCTestCase {
  private func update(loss: Double, samples: Double, correct: Double, gnorm: Double, skipped: Bool)
    -> UpdateResult
  {
    UpdateResult(
      lossSum: loss, sampleSize: samples, correct: correct, gradNorm: gnorm, lr: 0.1,
      lossScale: 8, skipped: skipped, stopRequested: false, routers: [])
  }

  func testFiguresAreAveragesOverTheSpan() throws {
    let start = Date(timeIntervalSince1970: 1000)
    var m = TrainMeters(start: start)
    XCTAssertTrue(m.isEmpty)
    m.add(
      update(loss: 2 * log(2), samples: 2, correct: 1, gnorm: 1, skipped: false), tokens: 100,
      rows: 2, clipNorm: 1.5)
    m.add(
      update(loss: 6 * 3 * log(2), samples: 6, correct: 6, gnorm: 3, skipped: false), tokens: 300,
      rows: 6, clipNorm: 1.5)
    m.add(
      update(loss: .infinity, samples: 4, correct: 0, gnorm: .infinity, skipped: true),
      tokens: 200, rows: 4, clipNorm: 1.5)
    let figures = m.figures(
      languageModel: false, numUpdates: 7, lr: 0.25, lossScale: nil, wall: 42,
      now: start.addingTimeInterval(2))
    XCTAssertEqual(
      figures.map(\.key),
      [
        "loss", "accuracy", "wps", "ups", "wpb", "bsz", "num_updates", "lr", "gnorm", "clip",
        "wall",
      ])
    let value = Dictionary(uniqueKeysWithValues: figures.map { ($0.key, $0.value) })
    XCTAssertEqual(value["loss"]!, (2 + 18) / 8.0, accuracy: 1e-12, "weighted by sample size")
    XCTAssertEqual(value["accuracy"]!, 100 * 7 / 8.0, accuracy: 1e-12)
    XCTAssertEqual(value["wps"]!, 600 / 2.0, accuracy: 1e-9, "skipped updates did the work")
    XCTAssertEqual(value["ups"]!, 3 / 2.0, accuracy: 1e-9)
    XCTAssertEqual(value["wpb"]!, 200, accuracy: 1e-12)
    XCTAssertEqual(value["bsz"]!, 4, accuracy: 1e-12)
    XCTAssertEqual(value["gnorm"]!, 2, accuracy: 1e-12, "the overflowed norm is left out")
    XCTAssertEqual(value["clip"]!, 0.5, accuracy: 1e-12)
    XCTAssertEqual(value["lr"], 0.25)
    XCTAssertEqual(value["num_updates"], 7)
    XCTAssertEqual(value["wall"], 42)
  }

  func testLanguageModelsShowPerplexityAndFP16TheLossScale() {
    var m = TrainMeters(start: Date(timeIntervalSince1970: 0))
    m.add(
      update(loss: 10 * 2 * log(2), samples: 10, correct: 0, gnorm: 1, skipped: false), tokens: 10,
      rows: 1, clipNorm: 0)
    let figures = m.figures(
      languageModel: true, numUpdates: 1, lr: 1, lossScale: 64, wall: 0,
      now: Date(timeIntervalSince1970: 1))
    let value = Dictionary(uniqueKeysWithValues: figures.map { ($0.key, $0.value) })
    XCTAssertEqual(value["ppl"]!, 4, accuracy: 1e-9)
    XCTAssertNil(value["accuracy"])
    XCTAssertEqual(value["loss_scale"], 64)
    XCTAssertEqual(value["clip"], 0, "no clipping without --clip-norm")
  }
}
