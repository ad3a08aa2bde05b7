// swift-tools-version: 6.0
import PackageDescription

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
    ],
    targets: [
        .target(name: "KizunaCore", swiftSettings: [
            // The engine has one owner (the loop); dynamic exclusivity checks on the ring cost ~15% of
            // its throughput (BENCHMARKS.md). Debug builds, and so the tests, keep them.
            .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
        ]),
        .target(name: "KizunaHardware", dependencies: ["KizunaCore"]),
        .target(
            name: "KizunaRuntime",
            dependencies: [
                "KizunaCore", "KizunaHardware",
                .product(name: "Yams", package: "Yams"),
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
        .executableTarget(name: "kizuna-bench", dependencies: ["KizunaCore", "CAllocCounter"]),
        .testTarget(name: "KizunaCoreTests", dependencies: ["KizunaCore"]),
        .testTarget(name: "KizunaHardwareTests", dependencies: ["KizunaHardware"]),
        .testTarget(name: "KizunaRuntimeTests", dependencies: ["KizunaRuntime"]),
    ],
    swiftLanguageModes: [.v6]
)
