// swift-tools-version:6.0
// trajpred: multi-future pedestrian trajectory prediction with an SQLite store.
// Dependencies point down: the CLI joins the libraries; the store and the model never import each other.
import PackageDescription

let package = Package(
    name: "trajpred",
    products: [
        .executable(name: "trajpred", targets: ["trajpred"]),
        .library(name: "TrajectoryData", targets: ["TrajectoryData"]),
        .library(name: "TrajectoryStore", targets: ["TrajectoryStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(name: "TrajectoryData"),
        .target(name: "TrajectoryStore", dependencies: ["CSQLite", "TrajectoryData"]),
        .executableTarget(
            name: "trajpred",
            dependencies: [
                "TrajectoryData",
                "TrajectoryStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "TrajectoryDataTests", dependencies: ["TrajectoryData"]),
        .testTarget(name: "TrajectoryStoreTests", dependencies: ["TrajectoryStore", "TrajectoryData"]),
        .testTarget(name: "TrajpredCLITests", dependencies: ["trajpred", "TrajectoryStore"]),
    ]
)
