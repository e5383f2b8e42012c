// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "shoal",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "ShoalKit", targets: ["ShoalKit"]),
        .executable(name: "shoal", targets: ["shoal"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // ShoalKit reports steps through swift-metrics and offers a
        // swift-service-lifecycle Service (SPEC §12); `shoal serve` is
        // Hummingbird 2 with swift-prometheus behind swift-metrics.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite3"])]
        ),
        .target(
            name: "ShoalKit",
            dependencies: [
                "CLibPQ",
                "CSQLite",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // `shoal serve`: the fleet page, JSON and Prometheus metrics over
        // HTTP (SPEC §12). A module of its own so that an app embedding
        // ShoalKit does not link an HTTP server.
        .target(
            name: "ShoalServe",
            dependencies: [
                "ShoalKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "shoal",
            dependencies: [
                "ShoalKit",
                "ShoalServe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Measures shoal against a raw sqlite3/libpq baseline (scripts/bench).
        .executableTarget(
            name: "shoal-bench",
            dependencies: [
                "ShoalKit",
                "CLibPQ",
                "CSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Spawns a process and reports its wall time and peak RSS (for shoal-bench).
        .executableTarget(name: "bench-spawn"),
        // Helpers both test targets share: temporary folders and scratch
        // PostgreSQL databases on the server scripts/test starts.
        .target(
            name: "ShoalTestSupport",
            dependencies: ["ShoalKit"],
            path: "Tests/ShoalTestSupport"
        ),
        .testTarget(
            name: "ShoalKitTests",
            dependencies: [
                "ShoalKit", "ShoalTestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "ShoalServeTests",
            dependencies: [
                "ShoalServe", "ShoalKit", "ShoalTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ShoalCLITests",
            dependencies: ["ShoalKit", "ShoalTestSupport", "shoal"]
        ),
        // README's "Using shoal from Swift", compiled as an app outside this
        // package sees ShoalKit: without package access, as with a plain
        // import, only `public` declarations are visible.
        .testTarget(
            name: "ShoalReadmeTests",
            dependencies: [
                "ShoalKit", "ShoalTestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            packageAccess: false
        ),
        .testTarget(
            name: "ShoalBenchTests",
            dependencies: ["shoal-bench", "ShoalKit", "ShoalTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
