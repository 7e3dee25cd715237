// swift-tools-version:6.0
import PackageDescription

/// The CPU the Swift targets are compiled for (`-target-cpu`): `SEQBOAT_TARGET_CPU` when set (e.g.
/// `native`, `znver4`, or empty for the compiler's baseline), else `haswell` on x86_64: AVX2 and
/// FMA, which every x86_64 server since 2013 and every AMD Zen has, and which the elementwise
/// kernels need to run 8 floats wide instead of baseline SSE's 4.
let targetCPU: [SwiftSetting] = {
  #if arch(x86_64)
    let cpu = Context.environment["SEQBOAT_TARGET_CPU"] ?? "haswell"
  #else
    let cpu = Context.environment["SEQBOAT_TARGET_CPU"] ?? ""
  #endif
  return cpu.isEmpty ? [] : [.unsafeFlags(["-target-cpu", cpu])]
}()

/// seqboat: data-parallel training of Mega and SeqBoat models in Swift.
/// Each target depends only on those listed before it (see README, "Architecture"), and lists
/// exactly the modules its files import.
let package = Package(
  name: "seqboat",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "seqboat", targets: ["seqboat"]),
    // The engine for other Swift packages: tensors with autograd, the layers, the models.
    .library(name: "SeqboatModels", targets: ["Tensor", "Layers", "Models"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
  ],
  targets: [
    // System libraries (Debian packages; see tools/install-deps.sh).
    .systemLibrary(
      name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "MPISystem", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
    .systemLibrary(
      name: "HDF5System", pkgConfig: "hdf5-serial", providers: [.apt(["libhdf5-dev"])]),
    .systemLibrary(name: "CZlibSystem", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(
      name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
    .systemLibrary(name: "PNGSystem", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
    // Thin C shims: only what Swift cannot call directly.
    .target(name: "CMPI", dependencies: ["MPISystem"]),
    .target(name: "CHDF5", dependencies: ["HDF5System"]),
    .target(name: "CPNG", dependencies: ["PNGSystem"]),
    // Swift targets, lowest first.
    .target(name: "Random"),
    .target(name: "Tensor", dependencies: ["COpenBLAS", "Random"]),
    .target(name: "Optim", dependencies: ["Tensor"]),
    .target(name: "Layers", dependencies: ["Tensor"]),
    .target(name: "Models", dependencies: ["Layers", "Tensor"]),
    .target(name: "HDF5", dependencies: ["CHDF5"]),
    .target(name: "Data", dependencies: ["HDF5", "Random"]),
    .target(name: "Pickle"),
    .target(
      name: "Prep",
      dependencies: [
        "Data", "HDF5", "CArchive", "CPNG", "Pickle", "Random",
        .product(name: "Crypto", package: "swift-crypto"),
      ]),
    .target(name: "Distributed", dependencies: ["CMPI", "Tensor"]),
    // TensorBoard event files (TFRecord framing, the Event/Summary messages).
    .target(
      name: "TensorBoard",
      dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
      exclude: ["Proto/event.proto"]),
    .target(
      name: "Training",
      dependencies: [
        "Models", "Layers", "Tensor", "Data", "Distributed", "Optim", "HDF5", "TensorBoard",
      ]),
    .target(name: "Golden", dependencies: ["HDF5", "Models", "Layers", "Optim", "Tensor"]),
    // Tool targets of the executable: measurements and self-checks, not the engine.
    .target(
      name: "Bench",
      dependencies: ["Training", "Models", "Layers", "Distributed", "Optim", "Tensor"]),
    .target(name: "MPISelfTest", dependencies: ["Distributed", "Tensor"]),
    .target(
      name: "Fairseq",
      dependencies: [
        "Pickle", "Training", "Golden", "Models", "Data", "Optim", "HDF5", "Tensor",
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
      ]),
    .executableTarget(
      name: "seqboat",
      dependencies: [
        "Training", "Golden", "Bench", "MPISelfTest", "Fairseq", "Prep", "Models", "Data",
        "Distributed",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"]),
    .testTarget(name: "OptimTests", dependencies: ["Optim", "Tensor"]),
    .testTarget(name: "LayersTests", dependencies: ["Layers", "Tensor", "TestSupport"]),
    .testTarget(
      name: "ModelsTests", dependencies: ["Models", "Layers", "Tensor", "TestSupport"]),
    .testTarget(name: "HDF5Tests", dependencies: ["HDF5"]),
    .testTarget(name: "DataTests", dependencies: ["Data", "HDF5"]),
    .testTarget(
      name: "PrepTests", dependencies: ["Prep", "Data", "HDF5", "CZlibSystem", "TestSupport"]),
    .target(name: "TestSupport", dependencies: ["Tensor"], path: "Tests/TestSupport"),
    .testTarget(name: "DistributedTests", dependencies: ["Distributed", "TestSupport"]),
    .testTarget(
      name: "TensorBoardTests",
      dependencies: ["TensorBoard", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
    .testTarget(
      name: "TrainingTests",
      dependencies: [
        "Training", "Data", "Distributed", "Layers", "Models", "Optim", "Tensor", "TestSupport",
      ]),
    .testTarget(name: "CommandTests", dependencies: ["HDF5", "Training", "TestSupport"]),
    .testTarget(name: "BenchTests", dependencies: ["Bench", "Distributed", "Models", "Training"]),
    .testTarget(
      name: "FairseqTests",
      dependencies: [
        "Fairseq", "Pickle", "Training", "HDF5", "TestSupport",
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
      ]),
    .testTarget(
      name: "GoldenTests", dependencies: ["Golden", "HDF5", "Models", "Layers", "Tensor"]),
  ],
  swiftLanguageModes: [.v5]
)

for target in package.targets where [.regular, .executable, .test].contains(target.type) {
  target.swiftSettings = (target.swiftSettings ?? []) + targetCPU
}
