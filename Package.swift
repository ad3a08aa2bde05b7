// swift-tools-version: 6.0
import Foundation
import PackageDescription

// libgpiod 1.6 (Debian 12, Raspberry Pi OS bookworm) and 2.x (Debian 13) have different
// APIs; the C shim picks its path from the installed header. Only v1 is tested here.
let gpiodHeader = (try? String(contentsOfFile: "/usr/include/gpiod.h", encoding: .utf8)) ?? ""
let libgpiodV2 = gpiodHeader.contains("gpiod_request_config_new")

// Module boundaries follow ../shared/DESIGN.md: the core is pure (standard library only),
// hardware sits behind protocols, the runtime owns the one loop and its wiring.
let package = Package(
    name: "Kizuna",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kizuna", targets: ["kizuna"]),
        .library(name: "KizunaCore", targets: ["KizunaCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(name: "KizunaCore", swiftSettings: [
            // The engine has one owner (the loop); dynamic exclusivity checks on the ring cost ~15% of
            // its throughput (BENCHMARKS.md). Debug builds, and so the tests, keep them.
            .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
        ]),
        // GPIO through libgpiod (Debian: libgpiod-dev), behind one small C interface.
        .target(
            name: "CKizunaGPIO",
            cSettings: libgpiodV2 ? [.define("KZ_LIBGPIOD_V2")] : [],
            linkerSettings: [.linkedLibrary("gpiod")]
        ),
        // I2C through libi2c (Debian: libi2c-dev; no pkg-config file) and the ioctls
        // (I2C_SLAVE, I2C_RDWR) in a small C shim.
        .target(name: "CKizunaI2C", linkerSettings: [.linkedLibrary("i2c")]),
        .target(name: "KizunaHardware", dependencies: ["KizunaCore", "CKizunaGPIO", "CKizunaI2C"]),
        // The flat's record: SQLite through GRDB (Debian: libsqlite3-dev).
        .target(name: "KizunaStore", dependencies: ["KizunaCore", .product(name: "GRDB", package: "GRDB.swift")]),
        // The authority's log-pull API, /metrics, and alarm delivery (a small NIO HTTP/1 client).
        .target(
            name: "KizunaNet",
            dependencies: [
                "KizunaCore", "KizunaStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Linux calls Swift's Glibc module lacks (signalfd).
        .target(name: "CKizunaSystem"),
        // The technician's shell: line editor, command table, the control socket's messages.
        .target(name: "KizunaShell", dependencies: ["KizunaCore"]),
        .target(
            name: "KizunaRuntime",
            dependencies: [
                "KizunaCore", "KizunaHardware", "KizunaStore", "KizunaNet", "KizunaShell", "CKizunaSystem",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                // PBKDF2 for the technician PIN's hash.
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "kizuna",
            dependencies: [
                "KizunaRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks: `swift run -c release kizuna-bench` (see BENCHMARKS.md).
        .target(name: "CAllocCounter"),
        .executableTarget(name: "kizuna-bench", dependencies: ["KizunaCore", "KizunaHardware", "KizunaStore", "KizunaNet", "KizunaRuntime", "CAllocCounter"]),
        .testTarget(name: "KizunaCoreTests", dependencies: ["KizunaCore"]),
        .testTarget(name: "KizunaHardwareTests", dependencies: ["KizunaHardware"]),
        // Fixtures/: small recordings the project made (real lines copied from ../shared/data), read by path.
        .testTarget(name: "KizunaRuntimeTests", dependencies: ["KizunaRuntime"], exclude: ["Fixtures"]),
        .testTarget(name: "KizunaShellTests", dependencies: ["KizunaShell"]),
        .testTarget(name: "KizunaStoreTests", dependencies: ["KizunaStore"]),
        .testTarget(name: "KizunaNetTests", dependencies: ["KizunaNet", "KizunaRuntime"]),
    ],
    swiftLanguageModes: [.v6]
)
