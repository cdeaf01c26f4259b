// swift-tools-version:6.1
// trajpred: multi-future pedestrian trajectory prediction with an SQLite store.
// Dependencies point down: the CLI parses and prints; Workflows (the application layer) joins the
// libraries; the store and the model never import each other.
import PackageDescription

// Numeric code is compiled optimised in every configuration (a debug build of the matrix kernels
// runs hundreds of times slower) and for the CPU it is built on, so FMA and wide vectors are used:
// without an FMA target, SIMD `addingProduct` becomes a library call. Set TRAJPRED_TARGET_CPU to
// build for another CPU (e.g. `x86-64-v3` for a binary that runs on any AVX2 machine), or to
// `generic` to pass no target at all (the portable path; slower, same results up to rounding).
let targetCPU = Context.environment["TRAJPRED_TARGET_CPU"] ?? "native"
let numericFlags: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked"] + (targetCPU == "generic" ? [] : ["-target-cpu", targetCPU])),
]

let package = Package(
    name: "trajpred",
    products: [
        .executable(name: "trajpred", targets: ["trajpred"]),
        .library(name: "TrajectoryData", targets: ["TrajectoryData"]),
        .library(name: "TrajectoryStore", targets: ["TrajectoryStore"]),
        .library(name: "NNCore", targets: ["NNCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The HTTP service only (PredictionService); without its default traits, so swift-configuration
        // is not built.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0", traits: []),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        // Hummingbird's own NIO, named for the HTTP/1 request head (its version) that HTTP types drop.
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(name: "CVectorMath"),
        .target(name: "NNCore", dependencies: ["CVectorMath"], swiftSettings: numericFlags),
        .target(name: "Notebook", dependencies: ["NNCore"], swiftSettings: numericFlags),
        .target(name: "Plots", dependencies: ["TrajectoryData"]),
        .target(name: "TrajectoryModel", dependencies: ["NNCore", "TrajectoryData"], swiftSettings: numericFlags),
        .target(name: "TrajectoryData"),
        .target(name: "TrajectoryStore", dependencies: ["CSQLite", "TrajectoryData"]),
        .target(name: "Workflows",
                dependencies: ["NNCore", "Notebook", "Plots", "TrajectoryData", "TrajectoryModel", "TrajectoryStore"]),
        .target(name: "PredictionService",
                dependencies: ["Workflows", "TrajectoryModel", .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "HummingbirdCore", package: "hummingbird"),
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOHTTP1", package: "swift-nio")]),
        .executableTarget(
            name: "trajpred",
            dependencies: [
                "PredictionService",
                "Notebook",
                "Plots",
                "TrajectoryData",
                "TrajectoryModel",
                "TrajectoryStore",
                "Workflows",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "NNCoreTests", dependencies: ["NNCore"], exclude: ["Golden"]),
        .testTarget(name: "NotebookTests", dependencies: ["Notebook", "NNCore"]),
        .testTarget(name: "PlotsTests", dependencies: ["Plots"]),
        .testTarget(name: "TrajectoryModelTests", dependencies: ["TrajectoryModel", "NNCore", "TrajectoryData"],
                    exclude: ["Golden"]),
        .testTarget(name: "TrajectoryDataTests", dependencies: ["TrajectoryData", "TestSupport"]),
        .testTarget(name: "TrajectoryStoreTests", dependencies: ["TrajectoryStore", "TrajectoryData", "TestSupport"]),
        .testTarget(name: "WorkflowsTests",
                    dependencies: ["Workflows", "TrajectoryModel", "TrajectoryStore", "TrajectoryData", "NNCore", "TestSupport"]),
        .testTarget(name: "PredictionServiceTests",
                    dependencies: ["PredictionService", "Workflows", "TrajectoryModel", "TrajectoryStore", "TrajectoryData",
                                   "TestSupport", .product(name: "NIOEmbedded", package: "swift-nio")]),
        .testTarget(name: "TrajpredCLITests", dependencies: ["trajpred", "PredictionService", "TrajectoryStore", "TestSupport"]),
    ]
)
